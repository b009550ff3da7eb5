import type { ClassifiedProviderError as ProviderError } from '../providers/provider-errors.js';
import { attemptProvider, type AttemptDeps } from './attempt.js';
import { nextInChain } from './chain.js';
import { open } from './job-crypto.js';
import { jobLogFields, type SendJobContent, type SendJobData } from './send.queue.js';

/** What delivering a queued message needs. */
export interface DeliveryDeps extends AttemptDeps {
  /** Opens the sealed content of a job. */
  readonly key: Buffer;
}

/** Where a job is in its chain: the provider to try and the tries already spent on it. */
export type Position = Pick<SendJobData, 'chainIndex' | 'providerAttempt'>;

/** What becomes of a job after one run; the worker says it to BullMQ (send.worker.ts). */
export type Decision =
  | { kind: 'done'; outcome: 'sent' | 'already-done' | 'expired' }
  /** Run again at `until` from `at`, spending no attempt. */
  | { kind: 'delay'; until: number; at: Position }
  /** Run again after backoff from `at`, spending an attempt. */
  | { kind: 'retry'; error: ProviderError; at: Position }
  /** Every provider failed: recorded, never run again. */
  | { kind: 'failed'; reason: string };

/** The earliest a skipped breaker closes, and the chain position to walk again from then. */
interface Reopen {
  readonly until: number;
  readonly chainIndex: number;
}

/** Drops a job past its lifetime; otherwise walks its chain from where the last run left off. */
export async function deliver(data: SendJobData, deps: DeliveryDeps): Promise<Decision> {
  if (Date.now() >= data.expiresAt) {
    return expire(data, deps);
  }
  const content = open<SendJobContent>(deps.key, data.messageId, data.sealed);
  return walkChain(data, content, deps);
}

async function walkChain(
  data: SendJobData,
  content: SendJobContent,
  deps: DeliveryDeps,
): Promise<Decision> {
  let at: Position = { chainIndex: data.chainIndex, providerAttempt: data.providerAttempt };
  let lastError: ProviderError | undefined;
  let reopen: Reopen | undefined;
  while (at.chainIndex !== -1) {
    const providerId = data.chain[at.chainIndex]!;
    const step = await attemptProvider(providerId, content, data, at.providerAttempt, deps);
    if (step.kind === 'done') {
      return step;
    }
    if (step.kind === 'delay') {
      return { ...step, at };
    }
    if (step.kind === 'retry') {
      return { ...step, at: { ...at, providerAttempt: at.providerAttempt + 1 } };
    }
    lastError = step.error;
    reopen = earliestReopen(reopen, step.reopensAt, at.chainIndex);
    await deps.store.apply(data.messageId, 'attempt_failed', failureFields(step.error));
    at = { chainIndex: nextInChain(data.chain.length, at.chainIndex), providerAttempt: 0 };
  }
  // Every provider left was skipped by its breaker: wait for the first to close rather than fail.
  if (reopen && reopen.until < data.expiresAt) {
    const from = { chainIndex: reopen.chainIndex, providerAttempt: 0 };
    return { kind: 'delay', until: reopen.until, at: from };
  }
  return fail(data, lastError, deps);
}

/** Keeps the earliest reopening, walking again from the first provider a breaker skipped. */
function earliestReopen(
  reopen: Reopen | undefined,
  reopensAt: number | undefined,
  chainIndex: number,
): Reopen | undefined {
  if (!reopensAt || (reopen && reopensAt >= reopen.until)) {
    return reopen;
  }
  return { until: reopensAt, chainIndex: reopen?.chainIndex ?? chainIndex };
}

async function expire(data: SendJobData, deps: DeliveryDeps): Promise<Decision> {
  await deps.store.apply(data.messageId, 'expired', { reason: 'not sent within its lifetime' });
  deps.stats.record(data.chain[data.chainIndex] ?? 'none', 'expired');
  deps.logger.warn('message expired before it could be sent', jobLogFields(data));
  return { kind: 'done', outcome: 'expired' };
}

async function fail(
  data: SendJobData,
  lastError: ProviderError | undefined,
  deps: DeliveryDeps,
): Promise<Decision> {
  const reason = lastError
    ? `${lastError.providerId}: ${lastError.message}`
    : 'no provider can carry this channel';
  await deps.store.apply(data.messageId, 'failed', {
    reason,
    ...(lastError?.providerCode ? { errorCode: lastError.providerCode } : {}),
  });
  deps.logger.error('message failed on every provider', { ...jobLogFields(data), reason });
  return { kind: 'failed', reason };
}

function failureFields(error: ProviderError) {
  return {
    provider: error.providerId,
    reason: `${error.kind}: ${error.message}`,
    ...(error.providerCode ? { errorCode: error.providerCode } : {}),
  };
}
