import {
  PermanentProviderError,
  RateLimitedProviderError,
  TransientProviderError,
  type ClassifiedProviderError,
} from '../provider-errors.js';
import { retryAfterMs, type ProviderResponse } from '../provider-http.js';

/** The provider id, as it appears in PROVIDERS, logs and message records. */
export const SENDPULSE = 'sendpulse';

/** SendPulse documents no Retry-After, so a rate limit waits this long unless the answer says otherwise. */
export const DEFAULT_RETRY_AFTER_MS = 1000;

// "More than 10 requests per second": a rate limit in all but HTTP status, so it pauses the
// provider (shared across workers) instead of spending an attempt.
const TOO_MANY_REQUESTS_PER_SECOND = '2020202020';
// 707: balance depleted; 799: malformed date. Neither changes by retrying.
const PERMANENT_CODES = new Set(['707', '799']);

interface SendPulseErrorBody {
  readonly error_code?: unknown;
  readonly error?: unknown;
  readonly message?: unknown;
  readonly error_description?: unknown;
}

/** The provider's own code: `error_code` (number) or the OAuth `error` string, when the answer has one. */
export function sendPulseErrorCode(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') {
    return undefined;
  }
  const { error_code: code, error } = body as SendPulseErrorBody;
  if (typeof code === 'number' || (typeof code === 'string' && code)) {
    return String(code);
  }
  return typeof error === 'string' && error ? error : undefined;
}

/**
 * Classifies a failed SendPulse answer (a send or a token request): 429 and 2020202020 are rate
 * limits, 5xx transient, everything else (invalid_client, 400, 403, 422, 707…) permanent.
 */
export function classifySendPulseError(
  res: ProviderResponse,
  action = 'send',
): ClassifiedProviderError {
  const code = sendPulseErrorCode(res.body);
  const message = describe(res, action, code);
  if (res.status === 429 || code === TOO_MANY_REQUESTS_PER_SECOND) {
    return new RateLimitedProviderError(
      SENDPULSE,
      message,
      retryAfterMs(res.headers, DEFAULT_RETRY_AFTER_MS),
      code ?? '429',
    );
  }
  if (code && PERMANENT_CODES.has(code)) {
    return new PermanentProviderError(SENDPULSE, message, code);
  }
  if (res.status >= 500 || res.status === 408) {
    return new TransientProviderError(SENDPULSE, message, code);
  }
  return new PermanentProviderError(SENDPULSE, message, code ?? String(res.status));
}

function describe(res: ProviderResponse, action: string, code: string | undefined): string {
  const body = (res.body ?? {}) as SendPulseErrorBody;
  const text = [body.message, body.error_description].find((t) => typeof t === 'string' && t);
  const detail = typeof text === 'string' ? `: ${scrubNumbers(text).slice(0, 200)}` : '';
  return `${action} answered HTTP ${res.status}${code ? ` (${code})` : ''}${detail}`;
}

// Provider messages end up in logs and message records; they must never carry a phone number.
function scrubNumbers(text: string): string {
  return text.replace(/\+?\d{7,}/g, '[number]');
}
