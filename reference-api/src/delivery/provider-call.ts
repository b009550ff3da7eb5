import type { Logger } from '@sms-mfa/common/logger';
import { maskRecipient } from '@sms-mfa/common/mask';
import type { SendStats } from '../metrics/send-stats.js';
import type { SpendStats } from '../metrics/spend-stats.js';
import type { PriceTable } from '../pricing/price-table.js';
import { countryOf, priceOfSend } from '../pricing/send-price.js';
import {
  classifyProviderError,
  TransientProviderError,
  type ClassifiedProviderError as ProviderError,
} from '../providers/provider-errors.js';
import type { SendResult, SmsProvider } from '../providers/sms-provider.js';
import type { CircuitBreakers } from './circuit-breaker.js';
import type { DeliveryRecords } from './delivery-records.js';
import { DeadlineSignals } from './deadline-signals.js';
import { jobLogFields, type SendJobContent, type SendJobData } from './send.queue.js';

/** What one provider call needs. */
export interface CallDeps {
  readonly store: DeliveryRecords;
  readonly breakers: CircuitBreakers;
  readonly stats: SendStats;
  /** What sends cost, per caller account, provider and country. */
  readonly spend: SpendStats;
  /** PRICE_TABLE_FILE: prices for sends whose provider reports none. */
  readonly prices: PriceTable | undefined;
  readonly logger: Logger;
  readonly providerTimeoutMs: number;
}

/** Every call's timeout, shared by the calls that end in the same few milliseconds. */
const deadlines = new DeadlineSignals();

/** How one provider call ended. */
export type CallResult =
  { kind: 'sent' } | { kind: 'already-done' } | { kind: 'failed'; error: ProviderError };

/** Sends through `provider` once, within the timeout and the message's lifetime, and records the outcome. */
export async function callProvider(
  provider: SmsProvider,
  content: SendJobContent,
  data: SendJobData,
  deps: CallDeps,
): Promise<CallResult> {
  const ttlSeconds = Math.max(1, Math.floor((data.expiresAt - Date.now()) / 1000));
  // The transition refuses to move a sent or final message back to sending: a worker that died
  // after the provider accepted the message must not send it twice.
  if (
    (await deps.store.apply(data.messageId, 'sending', { provider: provider.id })) === 'ignored'
  ) {
    return { kind: 'already-done' };
  }
  const started = performance.now();
  const signal = deadlines.after(
    provider.id,
    Math.min(deps.providerTimeoutMs, ttlSeconds * 1000),
    () => new TransientProviderError(provider.id, 'request timed out'),
  );
  try {
    const result = await provider.send(
      { messageId: data.messageId, ttlSeconds, ...content },
      signal,
    );
    await recordSent(provider, data, content, result, started, deps);
    return { kind: 'sent' };
  } catch (err) {
    return { kind: 'failed', error: recordFailure(provider, err, data, started, deps) };
  }
}

async function recordSent(
  provider: SmsProvider,
  data: SendJobData,
  content: SendJobContent,
  result: SendResult,
  started: number,
  deps: CallDeps,
): Promise<void> {
  const ms = performance.now() - started;
  const price = priceOfSend(result, deps.prices, content);
  deps.stats.record(provider.id, 'sent', ms);
  deps.spend.record(
    {
      application: content.account ?? '',
      provider: provider.id,
      country: content.country ?? countryOf(content.channel, content.to),
    },
    price,
  );
  await Promise.all([
    deps.store.recordSent(data.messageId, provider.id, result.providerMessageId, price),
    deps.breakers.recordSuccess(provider.id),
  ]);
  if (deps.logger.isInfoEnabled()) {
    deps.logger.info('message sent', {
      ...jobLogFields(data),
      provider: provider.id,
      to: maskRecipient(content.to),
      ms: Math.round(ms),
    });
  }
}

function recordFailure(
  provider: SmsProvider,
  err: unknown,
  data: SendJobData,
  started: number,
  deps: CallDeps,
): ProviderError {
  const error = classifyProviderError(provider.id, err);
  deps.stats.record(
    provider.id,
    error.kind === 'permanent'
      ? 'permanent_failure'
      : error.kind === 'transient'
        ? 'transient_failure'
        : 'rate_limited',
    performance.now() - started,
  );
  deps.logger.warn('provider send failed', {
    ...jobLogFields(data),
    provider: provider.id,
    kind: error.kind,
    reason: error.message,
    providerCode: error.providerCode,
  });
  return error;
}
