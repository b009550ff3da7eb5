import type { RecordedPrice } from '../pricing/send-price.js';
import type { Channel } from '../providers/sms-provider.js';

/** Where a message is in its life. */
export type MessageStatus =
  'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'expired';

/** What happened to a message; `attempt_failed` records a failed try without changing the status. */
export type MessageEvent = MessageStatus | 'attempt_failed';

/** One line of a message's history. */
export interface HistoryEntry {
  readonly event: MessageEvent;
  readonly at: string;
  readonly provider?: string;
  readonly providerMessageId?: string;
  readonly reason?: string;
  readonly errorCode?: string;
}

/** The status record of a message. It never holds the text or the code. */
export interface MessageRecord {
  readonly id: string;
  readonly status: MessageStatus;
  readonly channel: Channel;
  /** Masked: the record outlives the message and is readable by API clients. */
  readonly to: string;
  readonly clientRef?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly expiresAt: string;
  readonly provider?: string;
  readonly providerMessageId?: string;
  readonly reason?: string;
  readonly errorCode?: string;
  /** What the send cost, once sent: the provider's figure, else the price table's; absent when neither says. */
  readonly price?: RecordedPrice;
  readonly history: HistoryEntry[];
}
