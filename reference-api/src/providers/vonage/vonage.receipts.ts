import {
  ReceiptSignatureError,
  type DeliveryReceipt,
  type ReceiptHandler,
  type WebhookRequest,
} from '../receipts.js';
import {
  payloadHash,
  verifyHs256,
  verifySig,
  hexEquals,
  type WebhookClaims,
} from './vonage.signature.js';

/** How the receipt handler checks authenticity. */
export interface VonageReceiptOptions {
  /** The account's signature secret (not the API secret); without it every receipt is refused. */
  readonly signatureSecret: string | undefined;
  /** How old a signature may be; 5 minutes unless told. */
  readonly maxAgeSeconds?: number;
  /** The clock, in ms (tests freeze it). */
  readonly now?: () => number;
}

/**
 * Vonage statuses onto ours: SMS DLR `status` (delivered|expired|failed|rejected|accepted|buffered|unknown)
 * and Messages API status webhooks (submitted|delivered|rejected|undeliverable|read).
 */
export const VONAGE_RECEIPT_STATUSES: Readonly<Record<string, DeliveryReceipt['status']>> = {
  accepted: 'sent',
  buffered: 'sent',
  submitted: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  expired: 'undelivered',
  undeliverable: 'undelivered',
  failed: 'failed',
  rejected: 'failed',
};

const DEFAULT_MAX_AGE_SECONDS = 300;

/**
 * Reads Vonage receipts at /webhooks/vonage: SMS DLRs signed with `sig` (+ `timestamp`), and Messages
 * API status webhooks signed with a Bearer HS256 JWT whose `payload_hash` covers the body.
 */
export function createVonageReceiptHandler(options: VonageReceiptOptions): ReceiptHandler {
  const clock = {
    now: options.now ?? Date.now,
    maxAgeSeconds: options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS,
  };
  return {
    providerId: 'vonage',
    parse(request) {
      const secret = options.signatureSecret;
      // Generic on purpose: the caller is unauthenticated; the start-up warning tells the operator why.
      if (!secret) {
        throw new ReceiptSignatureError('receipt cannot be verified');
      }
      const token = bearerToken(request.headers.authorization);
      return token
        ? parseStatusWebhook(request, token, secret, clock)
        : parseDlr(request.params, secret, clock);
    },
  };
}

interface Clock {
  now(): number;
  readonly maxAgeSeconds: number;
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match?.[1];
}

/** An SMS API delivery receipt (GET query, form or JSON: the route merges them into `params`). */
function parseDlr(
  params: Readonly<Record<string, unknown>>,
  secret: string,
  clock: Clock,
): DeliveryReceipt[] {
  const fields = stringFields(params);
  const sig = fields['sig'];
  if (!sig) {
    throw new ReceiptSignatureError('unsigned receipt');
  }
  if (!verifySig(fields, sig, secret)) {
    throw new ReceiptSignatureError('bad signature');
  }
  assertFresh(Number(fields['timestamp']), clock);
  return receipt(
    fields['messageId'],
    fields['status'],
    nonZero(fields['err-code']),
    dlrTime(fields['message-timestamp']),
  );
}

/** Vonage signs the values as strings; anything nested cannot be part of a DLR and is left out. */
function stringFields(params: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      out[key] = String(value);
    }
  }
  return out;
}

/** A Messages API status webhook: the JWT must verify, be fresh, and hash the very body we got. */
function parseStatusWebhook(
  request: WebhookRequest,
  token: string,
  secret: string,
  clock: Clock,
): DeliveryReceipt[] {
  const claims = verifyHs256(token, secret);
  if (!claims) {
    throw new ReceiptSignatureError('bad signature');
  }
  assertFresh(claims.iat, clock);
  assertNotExpired(claims, clock);
  assertBodyHash(request.rawBody, claims);
  const body = request.params as {
    message_uuid?: unknown;
    status?: unknown;
    timestamp?: unknown;
    error?: unknown;
  };
  return receipt(
    asString(body.message_uuid),
    asString(body.status),
    messagesErrorCode(body.error),
    isoTime(body.timestamp),
  );
}

// The JWT alone would let a captured token carry any body; payload_hash binds it to these bytes.
function assertBodyHash(rawBody: Buffer, claims: WebhookClaims): void {
  const hash = claims.payload_hash;
  if (typeof hash !== 'string' || !hexEquals(payloadHash(rawBody), hash)) {
    throw new ReceiptSignatureError('body does not match its signature');
  }
}

function assertFresh(issuedAtSeconds: number | undefined, clock: Clock): void {
  if (typeof issuedAtSeconds !== 'number' || !Number.isFinite(issuedAtSeconds)) {
    throw new ReceiptSignatureError('stale receipt');
  }
  const ageSeconds = clock.now() / 1000 - issuedAtSeconds;
  // A little skew the other way is allowed too: Vonage's clock is not ours.
  if (Math.abs(ageSeconds) > clock.maxAgeSeconds) {
    throw new ReceiptSignatureError('stale receipt');
  }
}

function assertNotExpired(claims: WebhookClaims, clock: Clock): void {
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= clock.now()) {
    throw new ReceiptSignatureError('stale receipt');
  }
}

function receipt(
  id: string | undefined,
  vonageStatus: string | undefined,
  errorCode: string | undefined,
  at: Date | undefined,
): DeliveryReceipt[] {
  const status = vonageStatus ? VONAGE_RECEIPT_STATUSES[vonageStatus.toLowerCase()] : undefined;
  // Authentic but unusable (status "unknown", no id): acknowledged, nothing to apply.
  if (!id || !status) {
    return [];
  }
  return [
    { providerMessageId: id, status, ...(errorCode ? { errorCode } : {}), ...(at ? { at } : {}) },
  ];
}

function nonZero(code: string | undefined): string | undefined {
  return code && code !== '0' ? code : undefined;
}

/** The Messages error code: the number after `#` in `type`, else `title` (documented as e.g. "1230"). */
function messagesErrorCode(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') {
    return undefined;
  }
  const { type, title } = error as { type?: unknown; title?: unknown };
  const fromType = typeof type === 'string' ? /#(\d+)$/.exec(type)?.[1] : undefined;
  return (
    fromType ?? (typeof title === 'string' || typeof title === 'number' ? String(title) : undefined)
  );
}

/** DLR `message-timestamp` is `YYYY-MM-DD HH:MM:SS` in UTC. */
function dlrTime(value: string | undefined): Date | undefined {
  return value && /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(value)
    ? validDate(`${value.replace(' ', 'T')}Z`)
    : undefined;
}

function isoTime(value: unknown): Date | undefined {
  return typeof value === 'string' ? validDate(value) : undefined;
}

function validDate(value: string): Date | undefined {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}
