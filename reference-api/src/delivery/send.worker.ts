import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '@sms-mfa/common/logger';
import { maskPhone } from '@sms-mfa/common/mask';
import type { MessageStore } from '../messages/message-store.js';
import type { SendStats } from '../metrics/send-stats.js';
import { nextInChain } from './chain.js';
import {
  classifyProviderError,
  TransientProviderError,
  type ClassifiedProviderError as ProviderError,
} from '../providers/provider-errors.js';
import type { CircuitBreakers } from './circuit-breaker.js';
import type { ProviderPauses } from './provider-pause.js';
import type { SmsProvider } from '../providers/sms-provider.js';
import { open } from './job-crypto.js';
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
  readonly breakers: CircuitBreakers;
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
    // The job's own logger carries the queuing request's id (no AsyncLocalStorage: its promise hooks
    // would tax every await in a process whose whole work is awaits).
    (job, token) =>
      processSendJob(job, token, { ...deps, logger: jobLogger(deps.logger, job.data) }),
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

/** A logger whose lines carry the message id and the id of the request that queued it. */
function jobLogger(logger: Logger, data: SendJobData): Logger {
  return logger.child({ requestId: data.requestId ?? data.messageId, messageId: data.messageId });
}

/** Exponential backoff per provider with full jitter: base·2^(n-1)·U(0.5, 1). */
function backoffDelay(deps: SendWorkerDeps, job: Job<SendJobData> | undefined): number {
  const n = Math.max(1, job?.data.providerAttempt ?? 1);
  return Math.round(deps.retryBaseDelayMs * 2 ** (n - 1) * (0.5 + Math.random() * 0.5));
}

/** What to do after trying (or skipping) one provider of the chain. */
type Step =
  | { kind: 'done'; outcome: string }
  | { kind: 'delay'; until: number }
  | { kind: 'retry'; error: ProviderError }
  | { kind: 'next'; error: ProviderError; reopensAt?: number };

/** Sends one job: expire it, or walk its chain from where the last try left off. */
export async function processSendJob(
  job: Job<SendJobData>,
  token: string | undefined,
  deps: SendWorkerDeps,
): Promise<string> {
  const { messageId, expiresAt, chain } = job.data;
  if (Date.now() >= expiresAt) {
    return expire(job, deps);
  }
  const content = open<SendJobContent>(deps.key, messageId, job.data.sealed);
  let [index, attempt] = [job.data.chainIndex, job.data.providerAttempt];
  let lastError: ProviderError | undefined;
  let reopen: { at: number; index: number } | undefined;
  while (index !== -1) {
    const step = await stepProvider(chain[index]!, content, job.data, attempt, deps);
    const position = { chainIndex: index, providerAttempt: attempt };
    if (step.kind === 'done') {
      return step.outcome;
    }
    if (step.kind === 'delay') {
      return delayUntil(job, token, position, step.until);
    }
    if (step.kind === 'retry') {
      await job.updateData({ ...job.data, chainIndex: index, providerAttempt: attempt + 1 });
      throw step.error; // BullMQ retries after backoffDelay
    }
    lastError = step.error;
    if (step.reopensAt && (!reopen || step.reopensAt < reopen.at)) {
      reopen = { at: step.reopensAt, index: reopen?.index ?? index };
    }
    await deps.store.apply(messageId, 'attempt_failed', failureFields(step.error));
    [index, attempt] = [nextInChain(chain.length, index), 0];
  }
  // Every provider left was skipped by its breaker: wait for the first to close rather than fail.
  if (reopen && reopen.at < expiresAt) {
    return delayUntil(job, token, { chainIndex: reopen.index, providerAttempt: 0 }, reopen.at);
  }
  return failForGood(messageId, lastError, deps);
}

/** Tries one provider, unless it is paused (429) or its breaker is open, and says what comes next. */
async function stepProvider(
  providerId: string,
  content: SendJobContent,
  data: SendJobData,
  attempt: number,
  deps: SendWorkerDeps,
): Promise<Step> {
  const provider = deps.providers.get(providerId);
  if (!provider) {
    return {
      kind: 'next',
      error: new TransientProviderError(providerId, 'not configured in this worker'),
    };
  }
  const [pausedUntil, openUntil] = await Promise.all([
    deps.pauses.pausedUntil(providerId),
    deps.breakers.openUntil(providerId),
  ]);
  if (pausedUntil) {
    return pausedOrNext(providerId, pausedUntil, data.expiresAt);
  }
  if (openUntil) {
    return {
      kind: 'next',
      error: new TransientProviderError(
        providerId,
        'circuit open after repeated failures: skipped',
      ),
      reopensAt: openUntil,
    };
  }
  const result = await tryProvider(provider, content, data, deps);
  if (result.kind !== 'failed') {
    return { kind: 'done', outcome: result.kind };
  }
  const { error } = result;
  if (error.kind === 'rate_limited') {
    return pausedOrNext(
      providerId,
      await deps.pauses.pause(providerId, error.retryAfterMs),
      data.expiresAt,
      error,
    );
  }
  if (error.kind === 'permanent') {
    return { kind: 'next', error };
  }
  await deps.breakers.recordFailure(providerId);
  return attempt + 1 < deps.attemptsPerProvider
    ? { kind: 'retry', error }
    : { kind: 'next', error };
}

/** Waits out a provider's pause when it ends within the message's lifetime; otherwise moves on. */
function pausedOrNext(
  providerId: string,
  until: number,
  expiresAt: number,
  error?: ProviderError,
): Step {
  if (until < expiresAt) {
    return { kind: 'delay', until };
  }
  return {
    kind: 'next',
    error:
      error ?? new TransientProviderError(providerId, 'rate-limited beyond the message lifetime'),
  };
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
  if (
    (await deps.store.apply(data.messageId, 'sending', { provider: provider.id })) === 'ignored'
  ) {
    return { kind: 'already-done' };
  }
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
    deps.stats.record(provider.id, 'sent', ms);
    await Promise.all([
      deps.store.recordSent(data.messageId, provider.id, providerMessageId),
      deps.breakers.recordSuccess(provider.id),
    ]);
    deps.logger.info('message sent', {
      provider: provider.id,
      to: maskPhone(content.to),
      ms: Math.round(ms),
    });
    return { kind: 'sent' };
  } catch (err) {
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
  deps.stats.record(job.data.chain[job.data.chainIndex] ?? 'none', 'expired');
  deps.logger.warn('message expired before it could be sent');
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
  deps.logger.error('message failed on every provider', { reason });
  throw new UnrecoverableError(reason);
}

function failureFields(error: ProviderError) {
  return {
    provider: error.providerId,
    reason: `${error.kind}: ${error.message}`,
    ...(error.providerCode ? { errorCode: error.providerCode } : {}),
  };
}
