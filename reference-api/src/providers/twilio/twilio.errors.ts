import {
  PermanentProviderError,
  RateLimitedProviderError,
  TransientProviderError,
  type ClassifiedProviderError,
} from '../provider-errors.js';
import { retryAfterMs, type ProviderResponse } from '../provider-http.js';

/** How a Twilio error code is handled: give up (or fail over), retry with backoff, or pause the provider. */
export type TwilioErrorKind = ClassifiedProviderError['kind'];

/** One row of the code table: the class and a description safe to log (Twilio's own text can echo the number). */
export interface TwilioErrorRule {
  readonly kind: TwilioErrorKind;
  readonly reason: string;
}

/** Twilio 20429 has no documented Retry-After on the 2010 API; twilio-node backs off from 100 ms, we pause 1 s. */
export const TWILIO_RATE_LIMIT_FALLBACK_MS = 1000;

/**
 * Twilio's own codes (shared/reference/providers.md §1 and §6, twilio.com/docs/api/errors/{code}).
 * The code wins over the HTTP status: a 20429 is a pause even if a proxy changed the status.
 */
export const TWILIO_ERRORS: ReadonlyMap<number, TwilioErrorRule> = new Map<number, TwilioErrorRule>(
  [
    [
      20003,
      {
        kind: 'permanent',
        reason: 'authentication failed (check the account SID, auth token or API key)',
      },
    ],
    [
      20404,
      { kind: 'permanent', reason: 'resource not found (check the account SID and base URL)' },
    ],
    [20429, { kind: 'rate_limited', reason: 'too many concurrent requests' }],
    [20500, { kind: 'transient', reason: 'Twilio internal server error' }],
    [20503, { kind: 'transient', reason: 'Twilio service unavailable' }],
    [21211, { kind: 'permanent', reason: "invalid 'To' number" }],
    [
      21408,
      { kind: 'permanent', reason: "sending to the 'To' region is not enabled (geo permissions)" },
    ],
    [21602, { kind: 'permanent', reason: 'message body is required' }],
    [21603, { kind: 'permanent', reason: "a 'From' or 'MessagingServiceSid' is required" }],
    [21604, { kind: 'permanent', reason: "a 'To' number is required" }],
    [21606, { kind: 'permanent', reason: "the 'From' number cannot send this message" }],
    [21608, { kind: 'permanent', reason: "trial account: the 'To' number is not verified" }],
    [21610, { kind: 'permanent', reason: 'the recipient has unsubscribed (STOP)' }],
    // The sender's queue holds 10 h of messages: retrying within a code's lifetime cannot help, failing over can.
    [21611, { kind: 'permanent', reason: "the 'From' number's queue is full" }],
    [21612, { kind: 'permanent', reason: "the 'To' and 'From' pair cannot be routed" }],
    [21614, { kind: 'permanent', reason: "the 'To' number is not a mobile number" }],
    [21617, { kind: 'permanent', reason: 'the message body exceeds 1600 characters' }],
    [21624, { kind: 'permanent', reason: 'invalid validity period' }],
    [21635, { kind: 'permanent', reason: "the 'To' number is a landline" }],
    [
      21659,
      { kind: 'permanent', reason: "the 'From' number does not match the destination country" },
    ],
    [
      63016,
      { kind: 'permanent', reason: 'WhatsApp message outside the 24 h window needs a template' },
    ],
  ],
);

/** The `code` of Twilio's error body (`{code, message, more_info, status}`), when there is one. */
export function twilioErrorCode(body: unknown): number | undefined {
  if (!body || typeof body !== 'object') {
    return undefined;
  }
  const code = Number((body as { code?: unknown }).code);
  return Number.isInteger(code) && code > 0 ? code : undefined;
}

function kindOfStatus(status: number): TwilioErrorKind {
  if (status === 429) {
    return 'rate_limited';
  }
  if (status >= 500 || status === 408) {
    return 'transient';
  }
  return 'permanent';
}

/** The class of a failed Twilio answer: by its code when the table knows it, else by the HTTP status. */
export function classifyTwilioFailure(
  res: Pick<ProviderResponse, 'status' | 'headers' | 'body'>,
): ClassifiedProviderError {
  const code = twilioErrorCode(res.body);
  const rule = code === undefined ? undefined : TWILIO_ERRORS.get(code);
  const kind = rule?.kind ?? kindOfStatus(res.status);
  const message = `Twilio ${code ?? 'error'} (HTTP ${res.status})${rule ? `: ${rule.reason}` : ''}`;
  const providerCode = code === undefined ? undefined : String(code);
  if (kind === 'rate_limited') {
    return new RateLimitedProviderError(
      'twilio',
      message,
      retryAfterMs(res.headers, TWILIO_RATE_LIMIT_FALLBACK_MS),
      providerCode,
    );
  }
  if (kind === 'transient') {
    return new TransientProviderError('twilio', message, providerCode);
  }
  return new PermanentProviderError('twilio', message, providerCode);
}
