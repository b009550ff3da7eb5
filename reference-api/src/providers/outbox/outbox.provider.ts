import { randomUUID } from 'node:crypto';
import { setTimeout } from 'node:timers/promises';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import type { Channel, OutboundMessage, SmsProvider } from '../sms-provider.js';

/** One message the dev outbox received. Holds the text in clear: dev only. */
export interface OutboxEntry {
  readonly id: string;
  readonly messageId: string;
  readonly to: string;
  readonly channel: Channel;
  readonly text: string;
  /** An email's sender, subject and HTML; never its DKIM key. */
  readonly from?: string;
  readonly subject?: string;
  readonly html?: string;
  /** The domain an email would have been DKIM-signed for. */
  readonly dkimDomain?: string;
  readonly sentAt: string;
}

const OUTBOX_LIMIT = 1000;

/** The outbox takes every channel. */
export const OUTBOX_CHANNELS: ReadonlySet<Channel> = new Set<Channel>([
  'sms',
  'whatsapp',
  'telegram',
  'email',
]);

/** The RedisClient list that holds the outbox, newest first. */
export function outboxKey(prefix: string): string {
  return `${prefix}:outbox`;
}

/** The dev provider: "delivers" into a RedisClient list that GET /dev/outbox shows. */
export function createOutboxProvider(redis: RedisClient, prefix: string, delayMs = 0): SmsProvider {
  return {
    id: 'outbox',
    channels: OUTBOX_CHANNELS,
    alwaysAccepts: true,
    async send(message: OutboundMessage, signal: AbortSignal) {
      if (delayMs) {
        await setTimeout(delayMs, undefined, { signal });
      }
      const entry: OutboxEntry = {
        id: `outbox-${randomUUID()}`,
        messageId: message.messageId,
        to: message.to,
        channel: message.channel,
        text: message.text,
        ...emailFields(message),
        sentAt: new Date().toISOString(),
      };
      // Two commands in one auto-pipelined write, not a MULTI (four commands, and ioredis copies
      // every defined script into each MULTI it builds): a reader may see 1,001 entries for a moment.
      await Promise.all([
        redis.lpush(outboxKey(prefix), JSON.stringify(entry)),
        redis.ltrim(outboxKey(prefix), 0, OUTBOX_LIMIT - 1),
      ]);
      return { providerMessageId: entry.id };
    },
  };
}

// What the outbox shows of an email: everything but the DKIM key, of which only the domain.
function emailFields(message: OutboundMessage): Partial<OutboxEntry> {
  const email = message.email;
  if (!email) {
    return {};
  }
  return {
    from: email.from,
    subject: email.subject,
    ...(email.html ? { html: email.html } : {}),
    ...(email.dkim ? { dkimDomain: email.dkim.domain } : {}),
  };
}

/** Reads the newest `limit` outbox entries, optionally only those sent to `to`. */
export async function readOutbox(
  redis: RedisClient,
  prefix: string,
  limit: number,
  to?: string,
): Promise<OutboxEntry[]> {
  const raw = await redis.lrange(outboxKey(prefix), 0, to ? OUTBOX_LIMIT - 1 : limit - 1);
  const entries = raw.map((r) => JSON.parse(r) as OutboxEntry);
  return (to ? entries.filter((e) => e.to === to) : entries).slice(0, limit);
}
