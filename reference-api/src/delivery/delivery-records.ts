import type { RecordedPrice } from '../pricing/send-price.js';

/** The events the send path records on a message (messages/ knows them all, with their rules). */
export type DeliveryEvent = 'sending' | 'attempt_failed' | 'expired' | 'failed';

/** Optional facts an event carries. */
export interface DeliveryFields {
  provider?: string;
  providerMessageId?: string;
  reason?: string;
  errorCode?: string;
}

/**
 * Where the send path records what happened to a message: messages/message-store.ts implements it,
 * so delivery/ never imports messages/ (which imports delivery/ to queue a message).
 */
export interface DeliveryRecords {
  /** `ignored` when the message's status refuses the event (a sent message never goes back to sending). */
  apply(
    id: string,
    event: DeliveryEvent,
    fields?: DeliveryFields,
  ): Promise<'applied' | 'ignored' | 'missing'>;
  /** Records that `provider` accepted the message as `providerMessageId`, and its price when known. */
  recordSent(
    id: string,
    provider: string,
    providerMessageId: string,
    price?: RecordedPrice,
  ): Promise<unknown>;
}
