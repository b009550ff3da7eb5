import type { IncomingHttpHeaders } from 'node:http';

/** A delivery receipt as a provider reported it, mapped onto our statuses. */
export interface DeliveryReceipt {
  readonly providerMessageId: string;
  /**
   * Our own message id, when the provider echoes one we gave it (SendGrid's custom_args). It is
   * believed only for a message this provider sent; otherwise the provider id decides.
   */
  readonly messageId?: string;
  readonly status: 'sent' | 'delivered' | 'undelivered' | 'failed';
  /** The provider's own error code, when it gave one. */
  readonly errorCode?: string;
  readonly at?: Date;
}

/** The parts of a webhook request a signature check needs. */
export interface WebhookRequest {
  readonly method: string;
  /** The URL the provider called, as it signed it (public scheme, host and path with query). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: Buffer;
  /** Parsed form or JSON body, or the query for GET receipts. */
  readonly params: Record<string, unknown>;
}

/** Thrown for an unsigned, wrongly signed or stale receipt: answered 401, nothing changes. */
export class ReceiptSignatureError extends Error {
  override readonly name = 'ReceiptSignatureError';
}

/** Verifies and reads one provider's delivery receipts (`POST /webhooks/<providerId>`). */
export interface ReceiptHandler {
  readonly providerId: string;
  /** Throws ReceiptSignatureError unless the request is authentic and fresh. */
  parse(request: WebhookRequest): DeliveryReceipt[];
}
