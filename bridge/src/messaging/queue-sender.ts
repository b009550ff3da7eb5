import type { Logger } from '@sms-mfa/common/logger';
import { maskRecipient } from '@sms-mfa/common/mask';
import { acceptDeps } from '@sms-mfa/reference-api/api.start';
import type { ReferenceApiConfig } from '@sms-mfa/reference-api/config';
import { acceptMessage, type AcceptDeps } from '@sms-mfa/reference-api/messages/accept-message';
import {
  fromMessageRequest,
  fromSmsRequest,
  messageRequestSchema,
  parseBody,
  smsRequestSchema,
  type MessageInput,
} from '@sms-mfa/reference-api/messages/message-input';
import { openSharedDeps } from '@sms-mfa/reference-api/shared-deps';
import {
  deliveryUnavailable,
  priceOf,
  requestOf,
  type MessageSender,
  type OutboundCode,
  type SentMessage,
} from './reference-api-client.js';

/**
 * REFERENCE_API_DIRECT_QUEUE: puts codes on the reference API's send queue itself, through the
 * reference API's own accept path (the same validation, message record, idempotency key, price,
 * AES-GCM-sealed BullMQ job and shard), so its worker sends them exactly as if they had been POSTed.
 * Saves the HTTP hop and the reference API's request handling; needs the same Redis and settings.
 */
export class QueueSender implements MessageSender {
  constructor(
    private readonly deps: AcceptDeps,
    /** The Idempotency-Key scope the reference API would give the bridge's credentials over HTTP. */
    private readonly scope: string,
    private readonly logger: Logger,
    private readonly onClose: () => Promise<void> = async () => undefined,
  ) {}

  async send(message: OutboundCode): Promise<SentMessage> {
    let accepted;
    try {
      const idempotency = { scope: this.scope, key: message.idempotencyKey };
      accepted = await acceptMessage(this.deps, inputOf(message), idempotency);
    } catch (err) {
      this.logger.warn('the reference API did not accept a message', {
        to: maskRecipient(message.to),
        channel: message.channel,
        reason: (err as { code?: string }).code ?? (err as Error).message,
      });
      throw deliveryUnavailable();
    }
    const estimatedPrice = priceOf(accepted.replayed ? 200 : 202, accepted.estimatedPrice);
    return { messageId: accepted.record.id, ...(estimatedPrice ? { estimatedPrice } : {}) };
  }

  close(): Promise<void> {
    return this.onClose();
  }
}

/** The body the HTTP client would POST, parsed by the reference API's own schema for that route. */
function inputOf(message: OutboundCode): MessageInput {
  const [path, body] = requestOf(message);
  return path === '/api/sms'
    ? fromSmsRequest(parseBody(smsRequestSchema, body))
    : fromMessageRequest(parseBody(messageRequestSchema, body));
}

/** Opens the reference API's queue, records and idempotency keys on its Redis (its own connections). */
export async function openQueueSender(
  config: ReferenceApiConfig,
  scope: string,
  logger: Logger,
): Promise<QueueSender> {
  const shared = await openSharedDeps(config, logger);
  const onShort = (connection: string) =>
    logger.warn('fewer replicas than REDIS_WAIT_REPLICAS hold a queued message', { connection });
  return new QueueSender(acceptDeps(shared, onShort), scope, logger, () => shared.close());
}
