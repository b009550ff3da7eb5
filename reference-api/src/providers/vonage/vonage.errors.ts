import {
  PermanentProviderError,
  RateLimitedProviderError,
  TransientProviderError,
  type ClassifiedProviderError,
} from '../provider-errors.js';
import { retryAfterMs } from '../provider-http.js';

const ID = 'vonage';

/** How a send failure is classified. */
export type VonageFailureClass = 'transient' | 'permanent';

/**
 * SMS API per-message `status` codes (HTTP is 200 even when they fail), from the spec's x-errors and
 * shared/reference/providers.md §2a and §6. Status 1 "Throttled" is transient, not rate-limited: the
 * SMS API gives no retry hint, so backing off is all we can do.
 */
export const SMS_STATUS_CLASSES: Readonly<Record<string, VonageFailureClass>> = {
  '1': 'transient', // throttled
  '2': 'permanent', // missing parameters
  '3': 'permanent', // invalid parameters
  '4': 'permanent', // invalid credentials
  '5': 'transient', // internal error
  '6': 'permanent', // invalid message (e.g. unknown prefix)
  '7': 'permanent', // number barred
  '8': 'permanent', // partner account barred
  '9': 'permanent', // partner quota violation: needs a top-up, which no retry brings within a code's lifetime
  '10': 'transient', // too many existing binds
  '11': 'permanent', // account not enabled for HTTP
  '12': 'permanent', // message too long
  '14': 'permanent', // invalid signature
  '15': 'permanent', // invalid sender address
  '22': 'permanent', // invalid network code
  '23': 'permanent', // invalid callback URL
  '29': 'permanent', // non-whitelisted destination (demo account)
  '32': 'permanent', // signature and api_secret both sent
  '33': 'permanent', // number de-activated
};

/** Classifies one failed SMS part; an undocumented status is transient so the message is retried, not lost. */
export function classifySmsStatus(
  status: string,
  errorText: string | undefined,
): ClassifiedProviderError {
  const message = `SMS API status ${status}${errorText ? ` (${errorText})` : ''}`;
  return SMS_STATUS_CLASSES[status] === 'permanent'
    ? new PermanentProviderError(ID, message, status)
    : new TransientProviderError(ID, message, status);
}

/** Default wait after a 429 that carries no Retry-After. */
export const DEFAULT_RETRY_AFTER_MS = 1000;

/**
 * Classifies a non-2xx HTTP answer (Messages API, or an SMS API outage): 429 waits for Retry-After
 * seconds; 5xx and 408 are transient; 401, 402, 404, 422 and other 4xx are permanent.
 */
export function classifyHttpFailure(
  status: number,
  retryAfter: string | null,
  detail?: { title?: string; code?: string },
): ClassifiedProviderError {
  const message = `HTTP ${status}${detail?.title ? ` (${detail.title})` : ''}`;
  const code = detail?.code ?? String(status);
  if (status === 429) {
    const headers = new Headers(retryAfter ? { 'retry-after': retryAfter } : {});
    return new RateLimitedProviderError(
      ID,
      message,
      retryAfterMs(headers, DEFAULT_RETRY_AFTER_MS),
      code,
    );
  }
  if (status >= 500 || status === 408) {
    return new TransientProviderError(ID, message, code);
  }
  return new PermanentProviderError(ID, message, code);
}

/** A timeout or network failure before any answer: always worth another try. */
export function classifyTransportFailure(err: unknown): ClassifiedProviderError {
  const name = err instanceof Error ? err.name : '';
  if (name === 'AbortError' || name === 'TimeoutError') {
    return new TransientProviderError(ID, 'request timed out');
  }
  // The message of a network error names the host and errno, never credentials.
  const reason = err instanceof Error ? err.message : String(err);
  return new TransientProviderError(ID, `network error: ${reason}`);
}
