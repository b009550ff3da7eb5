import {
  PermanentProviderError,
  RateLimitedProviderError,
  TransientProviderError,
  type ClassifiedProviderError,
} from '../provider-errors.js';
import { retryAfterMs, type ProviderResponse } from '../provider-http.js';

/** The provider id, as it appears in PROVIDERS, logs and message records. */
export const TELEGRAM = 'telegram';

/** Neither API promises a hint on every 429; without one we wait this long. */
export const DEFAULT_RETRY_AFTER_MS = 1000;

/**
 * Classifies a Gateway API answer: undefined for `ok:true`; 429 rate-limited; network-ish
 * statuses (5xx, 408) transient; an `ok:false` error string (ACCESS_TOKEN_INVALID…) permanent.
 */
export function classifyGatewayAnswer(res: ProviderResponse): ClassifiedProviderError | undefined {
  const body = (res.body ?? {}) as { ok?: unknown; error?: unknown };
  const error = typeof body.error === 'string' && body.error ? body.error : undefined;
  if (res.status === 429) {
    const hint = retryAfterMs(res.headers, DEFAULT_RETRY_AFTER_MS);
    return new RateLimitedProviderError(
      TELEGRAM,
      `Gateway rate limit (HTTP 429)`,
      hint,
      error ?? '429',
    );
  }
  if (res.status >= 500 || res.status === 408) {
    return new TransientProviderError(TELEGRAM, `Gateway answered HTTP ${res.status}`, error);
  }
  if (res.status >= 200 && res.status < 300 && body.ok === true) {
    return undefined;
  }
  if (error) {
    return new PermanentProviderError(TELEGRAM, `Gateway refused the message: ${error}`, error);
  }
  return new PermanentProviderError(
    TELEGRAM,
    `Gateway answered HTTP ${res.status} without ok:true`,
    String(res.status),
  );
}

interface BotAnswer {
  readonly ok?: unknown;
  readonly error_code?: unknown;
  readonly description?: unknown;
  readonly parameters?: { readonly retry_after?: unknown };
}

/**
 * Classifies a Bot API answer: undefined for `ok:true`; 429 rate-limited for
 * `parameters.retry_after` seconds; 5xx transient; 400 (chat not found), 401, 403 (blocked or
 * never started) and other 4xx permanent.
 */
export function classifyBotAnswer(res: ProviderResponse): ClassifiedProviderError | undefined {
  const body = (res.body ?? {}) as BotAnswer;
  if (res.status >= 200 && res.status < 300 && body.ok === true) {
    return undefined;
  }
  const code = typeof body.error_code === 'number' ? body.error_code : res.status;
  const message = `Bot API: ${typeof body.description === 'string' ? body.description.slice(0, 200) : `HTTP ${res.status}`}`;
  if (code === 429) {
    return new RateLimitedProviderError(TELEGRAM, message, botRetryAfterMs(res, body), '429');
  }
  if (code >= 500 || res.status >= 500) {
    return new TransientProviderError(TELEGRAM, message, String(code));
  }
  return new PermanentProviderError(TELEGRAM, message, String(code));
}

function botRetryAfterMs(res: ProviderResponse, body: BotAnswer): number {
  const seconds = body.parameters?.retry_after;
  if (typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0) {
    return Math.ceil(seconds * 1000);
  }
  return retryAfterMs(res.headers, DEFAULT_RETRY_AFTER_MS);
}
