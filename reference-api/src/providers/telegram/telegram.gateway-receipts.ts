// Telegram Gateway delivery reports: a POST of a RequestStatus to the callback_url, signed with
// X-Request-Timestamp and X-Request-Signature (core.telegram.org/gateway/api#checking-report-integrity):
//   data_check_string = timestamp + "\n" + raw body;  key = SHA256(api token) (raw digest)
//   signature = hex(HMAC-SHA256(key, data_check_string))
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  ReceiptSignatureError,
  type DeliveryReceipt,
  type ReceiptHandler,
  type WebhookRequest,
} from '../receipts.js';
import { TELEGRAM } from './telegram.errors.js';

/** Reports older (or further in the future) than this are refused as replays. */
export const MAX_REPORT_AGE_SECONDS = 300;

const STATUSES = new Map<string, DeliveryReceipt['status']>([
  ['sent', 'sent'],
  ['delivered', 'delivered'],
  ['read', 'delivered'],
  ['expired', 'undelivered'], // not delivered within ttl (and refunded)
  ['revoked', 'failed'],
]);

/** The signature the Gateway puts in X-Request-Signature for a report, as lowercase hex. */
export function gatewayReportSignature(
  apiToken: string,
  timestamp: string,
  rawBody: Buffer,
): string {
  const key = createHash('sha256').update(apiToken, 'utf8').digest();
  return createHmac('sha256', key).update(`${timestamp}\n`, 'utf8').update(rawBody).digest('hex');
}

/** Verifies and reads Gateway delivery reports; every report is refused while no Gateway token is set. */
export function createGatewayReceiptHandler(
  apiToken: string | undefined,
  now: () => number = Date.now,
): ReceiptHandler {
  return {
    providerId: TELEGRAM,
    parse(request: WebhookRequest): DeliveryReceipt[] {
      if (!apiToken) {
        throw new ReceiptSignatureError('receipts are not configured');
      }
      verifyReport(apiToken, request, now());
      return readReport(request.rawBody);
    },
  };
}

function verifyReport(apiToken: string, request: WebhookRequest, nowMs: number): void {
  const timestamp = header(request.headers, 'x-request-timestamp');
  const signature = header(request.headers, 'x-request-signature');
  if (!timestamp || !signature) {
    throw new ReceiptSignatureError('missing signature');
  }
  if (
    !/^\d{1,12}$/.test(timestamp) ||
    Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_REPORT_AGE_SECONDS
  ) {
    throw new ReceiptSignatureError('stale or malformed timestamp');
  }
  const expected = Buffer.from(gatewayReportSignature(apiToken, timestamp, request.rawBody), 'hex');
  const given = /^[0-9a-fA-F]{64}$/.test(signature)
    ? Buffer.from(signature, 'hex')
    : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new ReceiptSignatureError('bad signature');
  }
}

// A repeated header is not something the Gateway sends: refuse rather than guess which one counts.
function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value.trim() : undefined;
}

interface RequestStatus {
  readonly request_id?: unknown;
  readonly delivery_status?: { readonly status?: unknown; readonly updated_at?: unknown };
}

/** A signed report with no delivery status (or one we do not know) moves nothing: an empty list. */
function readReport(rawBody: Buffer): DeliveryReceipt[] {
  let report: RequestStatus;
  try {
    report = JSON.parse(rawBody.toString('utf8')) as RequestStatus;
  } catch {
    return [];
  }
  const requestId = report?.request_id;
  const delivery = report?.delivery_status;
  const status = typeof delivery?.status === 'string' ? STATUSES.get(delivery.status) : undefined;
  if (typeof requestId !== 'string' || !requestId || !status) {
    return [];
  }
  const updatedAt = delivery?.updated_at;
  const at =
    typeof updatedAt === 'number' && updatedAt > 0 ? new Date(updatedAt * 1000) : undefined;
  return [{ providerMessageId: requestId, status, ...(at ? { at } : {}) }];
}
