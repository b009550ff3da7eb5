// SendGrid v3 answers onto our classes. Its errors are `{"errors": [{"message", "field", "help"}]}`:
// 400 (bad request), 401 (bad key), 403 (key lacks permission, or unverified sender), 413 (too
// large) cannot succeed on a retry; 429 says when the limit resets; 5xx are SendGrid's own trouble.
import { withoutAddresses } from '../../messages/mailbox.js';
import {
  PermanentProviderError,
  RateLimitedProviderError,
  TransientProviderError,
  type ClassifiedProviderError,
} from '../provider-errors.js';
import { retryAfterMs, type ProviderResponse, type ResponseHeaders } from '../provider-http.js';

/** The provider id, as errors name it. */
export const SENDGRID = 'sendgrid';

/** How long a 429 pauses SendGrid when it gives no hint. */
export const SENDGRID_RATE_LIMIT_FALLBACK_MS = 1000;

interface SendGridErrorBody {
  readonly errors?: readonly { readonly message?: unknown; readonly field?: unknown }[];
}

/** SendGrid's error texts, `field: message` each, addresses removed. */
export function sendGridErrorText(body: unknown): string {
  const errors = (body as SendGridErrorBody | undefined)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) {
    return 'no error details';
  }
  const texts = errors.map((e) => {
    const message = typeof e?.message === 'string' ? e.message : 'error';
    return typeof e?.field === 'string' && e.field ? `${e.field}: ${message}` : message;
  });
  return withoutAddresses(texts.join('; ')).slice(0, 200);
}

/** How long to pause after a 429: Retry-After if given, else until X-RateLimit-Reset (epoch seconds). */
export function sendGridRetryAfterMs(headers: ResponseHeaders, now = Date.now()): number {
  const hinted = retryAfterMs(headers, -1);
  if (hinted >= 0) {
    return hinted;
  }
  const reset = Number(headers.get('x-ratelimit-reset'));
  if (Number.isFinite(reset) && reset * 1000 > now) {
    return Math.ceil(reset * 1000 - now);
  }
  return SENDGRID_RATE_LIMIT_FALLBACK_MS;
}

/** Classifies a non-2xx answer of `POST /v3/mail/send`. */
export function classifySendGridFailure(res: ProviderResponse): ClassifiedProviderError {
  const code = String(res.status);
  const message = `HTTP ${res.status}: ${sendGridErrorText(res.body)}`;
  if (res.status === 429) {
    return new RateLimitedProviderError(SENDGRID, message, sendGridRetryAfterMs(res.headers), code);
  }
  if (res.status >= 500 || res.status === 408) {
    return new TransientProviderError(SENDGRID, message, code);
  }
  return new PermanentProviderError(SENDGRID, message, code);
}
