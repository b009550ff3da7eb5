import { setTimeout as sleep } from 'node:timers/promises';

/** One message the dev outbox shows. */
export interface OutboxMessage {
  readonly to: string;
  readonly text: string;
  readonly channel: string;
}

/** Reads what the reference API's dev outbox "sent", the way a test user reads their phone. */
export interface OutboxReader {
  /** Messages to `phone`, newest first. */
  outbox(phone: string): Promise<OutboxMessage[]>;
  /** The code in the newest message to `phone`, waiting until more than `after` messages arrived. */
  codeSentTo(phone: string, after?: number): Promise<string>;
}

/** An outbox reader for the reference API at `referenceUrl` (with its API key when it needs one). */
export function outboxReader(referenceUrl: string, apiKey?: string): OutboxReader {
  const reader: OutboxReader = {
    async outbox(phone) {
      const res = await fetch(`${referenceUrl}/dev/outbox?to=${encodeURIComponent(phone)}`, {
        headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      });
      return (await res.json()) as OutboxMessage[];
    },
    async codeSentTo(phone, after = 0) {
      for (let i = 0; i < 200; i++) {
        const messages = await reader.outbox(phone);
        const code =
          messages.length > after ? /\b(\d{4,10})\b/.exec(messages[0]?.text ?? '')?.[1] : undefined;
        if (code) {
          return code;
        }
        await sleep(25);
      }
      throw new Error(`no message for ${phone} in the outbox`);
    },
  };
  return reader;
}
