import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '@sms-mfa/common/logger';
import { maskPhone } from '@sms-mfa/common/mask';
import { runWithRequestId } from '@sms-mfa/common/request-context';
import type { MessageStore } from '../messages/message-store.js';
import type { SendStats } from '../metrics/send-stats.js';
import { nextInChain } from '../providers/fallback.js';
import {
  classifyProviderError,
  TransientProviderError,
  type ClassifiedProviderError as ProviderError,
} from '../providers/provider-errors.js';
import type { ProviderPauses } from '../providers/provider-pause.js';
import type { SmsProvider } from '../providers/sms-provider.js';
import { open } from './crypto.js';
import { SEND_QUEUE_NAME, type SendJobContent, type SendJobData } from './send.queue.js';

/** Everything the send worker works with. */
export interface SendWorkerDeps {
  /** A connection with maxRetriesPerRequest: null, as BullMQ workers require. */
  readonly connection: Redis;
  readonly prefix: string;
  readonly key: Buffer;
  readonly providers: ReadonlyMap<string, SmsProvider>;
  readonly store: MessageStore;
  readonly pauses: ProviderPauses;
  readonly stats: SendStats;
  readonly logger: Logger;
  readonly concurrency: number;
  readonly attemptsPerProvider: number;
  readonly retryBaseDelayMs: number;
  readonly providerTimeoutMs: number;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
}

type Attempt =
  { kind: 'sent' } | { kind: 'already-done' } | { kind: 'failed'; error: ProviderError };

/** Starts a BullMQ worker that sends queued messages through their provider chain. */
export function createSendWorker(deps: SendWorkerDeps): Worker<SendJobData> {
  return new Worker<SendJobData>(
    SEND_QUEUE_NAME,
    (job, token) => runWithRequestId(job.data.messageId, () => processSendJob(job, token, deps)),
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: deps.concurrency,
      lockDuration: deps.lockDurationMs,
      stalledInterval: deps.stalledIntervalMs,
      maxStalledCount: 2,
      settings: {
        backoffStrategy: (_made, _type, _err, job) => backoffDelay(deps, job as Job<SendJobData>),
      },
    },
  );
}

/** Exponential backoff per provider with full jitter: base·2^(n-1)·U(0.5, 1). */
function backoffDelay(deps: SendWorkerDeps, job: Job<SendJobData> | undefined): number {
  const n = Math.max(1, job?.data.providerAttempt ?? 1);
  return Math.round(deps.retryBaseDelayMs * 2 ** (n - 1) * (0.5 + Math.random() * 0.5));
}

/** Sends one job: expire it, or walk its chain from where the last try left off. */
export async function processSendJob(
  job: Job<SendJobData>,
  token: string | undefined,
  deps: SendWorkerDeps,
): Promise<string> {
  const { messageId } = job.data;
  if (Date.now() >= job.data.expiresAt) return expire(job, deps);
  const content = open<SendJobContent>(deps.key, messageId, job.data.sealed);
  let index = job.data.chainIndex;
  let attempt = job.data.providerAttempt;
  let lastError: ProviderError | undefined;
  while (index !== -1) {
    const providerId = job.data.chain[index]!;
    const provider = deps.providers.get(providerId);
    const pausedUntil = await deps.pauses.pausedUntil(providerId);
    if (provider && pausedUntil && pausedUntil < job.data.expiresAt) {
      return delayUntil(job, token, { chainIndex: index, providerAttempt: attempt }, pausedUntil);
    }
    const result = provider
      ? await tryProvider(provider, content, job.data, deps)
      : unavailable(providerId, pausedUntil);
    if (result.kind === 'sent') return 'sent';
    if (result.kind === 'already-done') return 'already-done';
    lastError = result.error;
    if (result.error.kind === 'rate_limited') {
      const until = await deps.pauses.pause(providerId, result.error.retryAfterMs);
      if (until < job.data.expiresAt)
        return delayUntil(job, token, { chainIndex: index, providerAttempt: attempt }, until);
    } else if (result.error.kind === 'transient' && attempt + 1 < deps.attemptsPerProvider) {
      await job.updateData({ ...job.data, chainIndex: index, providerAttempt: attempt + 1 });
      throw result.error; // BullMQ retries after backoffDelay
    }
    await deps.store.apply(messageId, 'attempt_failed', failureFields(result.error));
    index = nextInChain(job.data.chain.length, index);
    attempt = 0;
  }
  return failForGood(messageId, lastError, deps);
}

async function tryProvider(
  provider: SmsProvider,
  content: SendJobContent,
  data: SendJobData,
  deps: SendWorkerDeps,
): Promise<Attempt> {
  const ttlSeconds = Math.max(1, Math.floor((data.expiresAt - Date.now()) / 1000));
  // The transition refuses to move a sent or final message back to sending: a worker that died
  // after the provider accepted the message must not send it twice.
  if ((await deps.store.apply(data.messageId, 'sending', { provider: provider.id })) === 'ignored')
    return { kind: 'already-done' };
  const started = performance.now();
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new TransientProviderError(provider.id, 'request timed out')),
    Math.min(deps.providerTimeoutMs, ttlSeconds * 1000),
  );
  try {
    const { providerMessageId } = await provider.send(
      { messageId: data.messageId, ttlSeconds, ...content },
      controller.signal,
    );
    const ms = performance.now() - started;
    // Issued together so that Redis auto-pipelining sends them in one write.
    await Promise.all([
      deps.store.indexProviderId(data.messageId, provider.id, providerMessageId),
      deps.store.apply(data.messageId, 'sent', { provider: provider.id, providerMessageId }),
      deps.stats.record(provider.id, 'sent', ms),
    ]);
    deps.logger.info('message sent', {
      messageId: data.messageId,
      provider: provider.id,
      to: maskPhone(content.to),
      ms: Math.round(ms),
    });
    return { kind: 'sent' };
  } catch (err) {
    const error = classifyProviderError(provider.id, err);
    await deps.stats.record(
      provider.id,
      error.kind === 'permanent'
        ? 'permanent_failure'
        : error.kind === 'transient'
          ? 'transient_failure'
          : 'rate_limited',
      performance.now() - started,
    );
    deps.logger.warn('provider send failed', {
      messageId: data.messageId,
      provider: provider.id,
      kind: error.kind,
      reason: error.message,
      providerCode: error.providerCode,
    });
    return { kind: 'failed', error };
  } finally {
    clearTimeout(timer);
  }
}

function unavailable(providerId: string, pausedUntil: number): Attempt {
  const reason = pausedUntil
    ? 'rate-limited beyond the message lifetime'
    : 'not configured in this worker';
  return { kind: 'failed', error: new TransientProviderError(providerId, reason) };
}

async function delayUntil(
  job: Job<SendJobData>,
  token: string | undefined,
  at: Pick<SendJobData, 'chainIndex' | 'providerAttempt'>,
  until: number,
): Promise<never> {
  await job.updateData({ ...job.data, ...at });
  await job.moveToDelayed(until, token);
  throw new DelayedError(); // tells BullMQ the job moved on purpose: no attempt spent
}

async function expire(job: Job<SendJobData>, deps: SendWorkerDeps): Promise<string> {
  await deps.store.apply(job.data.messageId, 'expired', { reason: 'not sent within its lifetime' });
  await deps.stats.record(job.data.chain[job.data.chainIndex] ?? 'none', 'expired');
  deps.logger.warn('message expired before it could be sent', { messageId: job.data.messageId });
  return 'expired';
}

async function failForGood(
  messageId: string,
  lastError: ProviderError | undefined,
  deps: SendWorkerDeps,
): Promise<never> {
  const reason = lastError
    ? `${lastError.providerId}: ${lastError.message}`
    : 'no provider can carry this channel';
  await deps.store.apply(messageId, 'failed', {
    reason,
    ...(lastError?.providerCode ? { errorCode: lastError.providerCode } : {}),
  });
  deps.logger.error('message failed on every provider', { messageId, reason });
  throw new UnrecoverableError(reason);
}

function failureFields(error: ProviderError) {
  return {
    provider: error.providerId,
    reason: `${error.kind}: ${error.message}`,
    ...(error.providerCode ? { errorCode: error.providerCode } : {}),
  };
}
