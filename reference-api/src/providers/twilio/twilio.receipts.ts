import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import {
  ReceiptSignatureError,
  type DeliveryReceipt,
  type ReceiptHandler,
  type WebhookRequest,
} from '../receipts.js';

/** Form parameters as Twilio posted them; a repeated name keeps every value. */
export type TwilioParams = Readonly<Record<string, string | readonly string[]>>;

/**
 * X-Twilio-Signature of a request (twilio-node `getExpectedTwilioSignature`): base64 HMAC-SHA1, keyed
 * with the auth token, of the full URL followed by every POST parameter as name+value, in name order.
 */
export function twilioSignature(authToken: string, url: string, params: TwilioParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name] ?? '';
    data +=
      typeof value === 'string'
        ? name + value
        : [...new Set(value)]
            .sort()
            .map((v) => name + v)
            .join('');
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** The POST parameters of a form-encoded body, repeated names kept as lists; nothing for other bodies. */
export function twilioFormParams(
  request: Pick<WebhookRequest, 'headers' | 'rawBody'>,
): Record<string, string | string[]> {
  const type = request.headers['content-type'] ?? '';
  if (!type.includes('application/x-www-form-urlencoded')) {
    return {};
  }
  const params: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(request.rawBody.toString('utf8'))) {
    const seen = params[name];
    params[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return params;
}

// Twilio's own validator accepts the URL with and without the port, since its signing side is inconsistent.
function urlVariants(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [url];
  }
  const withoutPort = new URL(parsed);
  withoutPort.port = '';
  const standardPort = parsed.protocol === 'https:' ? 443 : 80;
  const withPort = parsed.port
    ? parsed.toString()
    : `${parsed.protocol}//${parsed.host}:${standardPort}${parsed.pathname}${parsed.search}`;
  return [...new Set([url, parsed.toString(), withoutPort.toString(), withPort])];
}

// Hashing both sides first gives equal lengths, so timingSafeEqual never throws and lengths never leak.
function sameSignature(expected: string, given: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(expected), digest(given));
}

function signatureHeader(request: WebhookRequest): string {
  const header = request.headers['x-twilio-signature'];
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) {
    throw new ReceiptSignatureError('missing signature');
  }
  return value;
}

/** Throws ReceiptSignatureError unless `request` carries a valid X-Twilio-Signature for `authToken`. */
export function verifyTwilioSignature(authToken: string, request: WebhookRequest): void {
  const given = signatureHeader(request);
  const params = twilioFormParams(request);
  const matches = urlVariants(request.url).map((url) =>
    sameSignature(twilioSignature(authToken, url, params), given),
  );
  if (!matches.includes(true)) {
    throw new ReceiptSignatureError('bad signature');
  }
}

// `read` (WhatsApp) implies delivery; queued, sending, accepted, scheduled and the rest say nothing final.
const STATUSES: ReadonlyMap<string, DeliveryReceipt['status']> = new Map([
  ['sent', 'sent'],
  ['delivered', 'delivered'],
  ['read', 'delivered'],
  ['undelivered', 'undelivered'],
  ['failed', 'failed'],
]);

function field(fields: Record<string, string | string[]>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = fields[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (first) {
      return first;
    }
  }
  return undefined;
}

/** The delivery receipt a verified status callback reports, if it reports one we track. */
export function twilioReceiptOf(
  fields: Record<string, string | string[]>,
): DeliveryReceipt | undefined {
  const providerMessageId = field(fields, 'MessageSid', 'SmsSid');
  const status = STATUSES.get(field(fields, 'MessageStatus', 'SmsStatus') ?? '');
  if (!providerMessageId || !status) {
    return undefined;
  }
  const errorCode = field(fields, 'ErrorCode');
  return { providerMessageId, status, ...(errorCode ? { errorCode } : {}) };
}

function queryFields(url: string): Record<string, string> {
  try {
    return Object.fromEntries(new URL(url).searchParams);
  } catch {
    return {};
  }
}

/**
 * Reads Twilio status callbacks (`POST /webhooks/twilio`). Twilio signs no timestamp, so staleness cannot
 * be checked; a replay is harmless because message status only moves forward.
 */
export function createTwilioReceiptHandler(authToken: string | undefined): ReceiptHandler {
  return {
    providerId: 'twilio',
    parse(request) {
      if (!authToken) {
        throw new ReceiptSignatureError('receipts are not configured');
      }
      verifyTwilioSignature(authToken, request);
      // A GET callback carries its fields in the (signed) query string.
      const receipt = twilioReceiptOf({
        ...queryFields(request.url),
        ...twilioFormParams(request),
      });
      return receipt ? [receipt] : [];
    },
  };
}
