import {
  TransientProviderError,
  type ClassifiedProviderError as ProviderError,
} from '../providers/provider-errors.js';
import type { SmsProvider } from '../providers/sms-provider.js';
import type { ProviderPauses } from './provider-pause.js';
import { callProvider, type CallDeps } from './provider-call.js';
import type { SendJobContent, SendJobData } from './send.queue.js';

/** What trying one provider of a chain needs. */
export interface AttemptDeps extends CallDeps {
  readonly providers: ReadonlyMap<string, SmsProvider>;
  readonly pauses: ProviderPauses;
  readonly attemptsPerProvider: number;
}

/** What to do after trying (or skipping) one provider of the chain. */
export type Step =
  | { kind: 'done'; outcome: 'sent' | 'already-done' }
  /** Wait for the provider's pause to end, then try it again. */
  | { kind: 'delay'; until: number }
  /** Try the same provider again after backoff. */
  | { kind: 'retry'; error: ProviderError }
  /** Move on to the next provider; `reopensAt` when only its breaker stood in the way. */
  | { kind: 'next'; error: ProviderError; reopensAt?: number };

/**
 * Tries provider `providerId` for the `attempt`-th time (from 0), unless it is paused (429) or its
 * breaker is open, and says what comes next.
 */
export async function attemptProvider(
  providerId: string,
  content: SendJobContent,
  data: SendJobData,
  attempt: number,
  deps: AttemptDeps,
): Promise<Step> {
  const provider = deps.providers.get(providerId);
  if (!provider) {
    return moveOn(new TransientProviderError(providerId, 'not configured in this worker'));
  }
  const [pausedUntil, openUntil] = await Promise.all([
    deps.pauses.pausedUntil(providerId),
    deps.breakers.openUntil(providerId),
  ]);
  if (pausedUntil) {
    return pausedOrNext(providerId, pausedUntil, data.expiresAt);
  }
  if (openUntil) {
    const skipped = 'circuit open after repeated failures: skipped';
    return { ...moveOn(new TransientProviderError(providerId, skipped)), reopensAt: openUntil };
  }
  const result = await callProvider(provider, content, data, deps);
  return result.kind === 'failed'
    ? afterFailure(providerId, result.error, data, attempt, deps)
    : { kind: 'done', outcome: result.kind };
}

/** A 429 pauses the provider, a permanent error moves on, a transient one retries while tries are left. */
async function afterFailure(
  providerId: string,
  error: ProviderError,
  data: SendJobData,
  attempt: number,
  deps: AttemptDeps,
): Promise<Step> {
  if (error.kind === 'rate_limited') {
    const until = await deps.pauses.pause(providerId, error.retryAfterMs);
    return pausedOrNext(providerId, until, data.expiresAt, error);
  }
  if (error.kind === 'permanent') {
    return moveOn(error);
  }
  await deps.breakers.recordFailure(providerId);
  return attempt + 1 < deps.attemptsPerProvider ? { kind: 'retry', error } : moveOn(error);
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
  return moveOn(
    error ?? new TransientProviderError(providerId, 'rate-limited beyond the message lifetime'),
  );
}

function moveOn(error: ProviderError): Step & { kind: 'next' } {
  return { kind: 'next', error };
}
