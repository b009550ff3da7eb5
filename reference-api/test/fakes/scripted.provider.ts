import {
  PermanentProviderError,
  RateLimitedProviderError,
  TransientProviderError,
} from '../../src/providers/provider-errors.js';
import type { Channel, OutboundMessage, SmsProvider } from '../../src/providers/sms-provider.js';
import { FailurePlan, type FailureKind, type FailureOptions } from './fake-server.js';

/** An in-process provider for worker tests: records what it sends and fails on command. */
export interface ScriptedProvider extends SmsProvider {
  readonly sent: OutboundMessage[];
  readonly calls: { at: number; messageId: string; outcome: string }[];
  failNext(kind: FailureKind, options?: FailureOptions): void;
  /** Makes every send take this long (to test shutdown with sends in flight). */
  delayMs: number;
}

/** Creates a scripted provider with the given id. */
export function scriptedProvider(
  id: string,
  channels: Channel[] = ['sms', 'whatsapp', 'telegram'],
): ScriptedProvider {
  const plan = new FailurePlan();
  const provider: ScriptedProvider = {
    id,
    channels: new Set(channels),
    sent: [],
    calls: [],
    delayMs: 0,
    failNext: (kind, options) => plan.add(kind, options),
    async send(message, signal) {
      const failure = plan.take();
      if (provider.delayMs) {
        await new Promise((r) => setTimeout(r, provider.delayMs));
      }
      provider.calls.push({
        at: Date.now(),
        messageId: message.messageId,
        outcome: failure?.kind ?? 'sent',
      });
      switch (failure?.kind) {
        case 'permanent':
          throw new PermanentProviderError(id, 'number blocked', failure.options.code ?? 'BLOCKED');
        case 'transient':
          throw new TransientProviderError(id, 'upstream 503', failure.options.code);
        case 'rate_limited':
          throw new RateLimitedProviderError(
            id,
            'too many requests',
            (failure.options.retryAfterSeconds ?? 1) * 1000,
          );
        case 'timeout':
          await new Promise((_r, reject) =>
            signal.addEventListener('abort', () =>
              reject(new TransientProviderError(id, 'request timed out')),
            ),
          );
      }
      provider.sent.push(message);
      return { providerMessageId: `${id}-${provider.sent.length}` };
    },
  };
  return provider;
}
