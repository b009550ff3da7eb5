// SendGrid Event Webhook batches (`POST /webhooks/sendgrid`): a JSON array of events, signed (see
// sendgrid.signature.ts). Delivery events only: `delivered`; `bounce` (the receiving server said
// no; `type` bounce or blocked) is undelivered; `dropped` (SendGrid itself would not send it) is
// failed. `processed` and `deferred` say nothing final, engagement events nothing about delivery.
// SendGrid documents no freshness window for the timestamp and retries a batch for up to a day,
// so none is enforced: a replayed event is harmless, since a message status only moves forward.
import type { IncomingHttpHeaders } from 'node:http';
import {
  ReceiptSignatureError,
  type DeliveryReceipt,
  type ReceiptHandler,
  type WebhookRequest,
} from '../receipts.js';
import { SENDGRID } from './sendgrid.errors.js';
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  sendGridPublicKey,
  verifySendGridSignature,
} from './sendgrid.signature.js';

const STATUSES: ReadonlyMap<string, DeliveryReceipt['status']> = new Map([
  ['delivered', 'delivered'],
  ['bounce', 'undelivered'],
  ['dropped', 'failed'],
]);

/** One event as SendGrid posts it; our custom argument `messageId` sits at the top level. */
interface SendGridEvent {
  readonly event?: unknown;
  readonly sg_message_id?: unknown;
  readonly messageId?: unknown;
  readonly timestamp?: unknown;
  /** A bounce's enhanced status code, e.g. 5.1.1. */
  readonly status?: unknown;
}

// A repeated header is not something SendGrid sends: refuse rather than guess which one counts.
function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value.trim() : undefined;
}

function verifyBatch(key: ReturnType<typeof sendGridPublicKey>, request: WebhookRequest): void {
  const signature = header(request.headers, SIGNATURE_HEADER);
  const timestamp = header(request.headers, TIMESTAMP_HEADER);
  if (!signature || !timestamp) {
    throw new ReceiptSignatureError('missing signature');
  }
  if (!verifySendGridSignature(key, timestamp, request.rawBody, signature)) {
    throw new ReceiptSignatureError('bad signature');
  }
}

/**
 * The receipt one event gives, if it is a delivery outcome. sg_message_id is the X-Message-Id the
 * send was answered with, followed by a per-recipient suffix after a dot.
 */
export function sendGridReceiptOf(event: SendGridEvent): DeliveryReceipt | undefined {
  const status = typeof event.event === 'string' ? STATUSES.get(event.event) : undefined;
  const sgMessageId = typeof event.sg_message_id === 'string' ? event.sg_message_id : '';
  const providerMessageId = sgMessageId.split('.')[0];
  if (!status || !providerMessageId) {
    return undefined;
  }
  const messageId = typeof event.messageId === 'string' ? event.messageId : undefined;
  const errorCode =
    status === 'undelivered' &&
    typeof event.status === 'string' &&
    /^\d\.\d{1,3}\.\d{1,3}$/.test(event.status)
      ? event.status
      : undefined;
  const seconds = typeof event.timestamp === 'number' ? event.timestamp : 0;
  return {
    providerMessageId,
    status,
    ...(messageId ? { messageId } : {}),
    ...(errorCode ? { errorCode } : {}),
    ...(seconds > 0 ? { at: new Date(seconds * 1000) } : {}),
  };
}

function readBatch(rawBody: Buffer): DeliveryReceipt[] {
  let events: unknown;
  try {
    events = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return [];
  }
  return Array.isArray(events)
    ? events.flatMap((e: SendGridEvent) => sendGridReceiptOf(e ?? {}) ?? [])
    : [];
}

/** Verifies and reads Event Webhook batches; every batch is refused while no verification key is set. */
export function createSendGridReceiptHandler(publicKey: string | undefined): ReceiptHandler {
  const key = publicKey ? sendGridPublicKey(publicKey) : undefined;
  return {
    providerId: SENDGRID,
    parse(request) {
      if (!key) {
        throw new ReceiptSignatureError('receipts are not configured');
      }
      verifyBatch(key, request);
      return readBatch(request.rawBody);
    },
  };
}
