import type { Logger } from '@sms-mfa/common/logger';
import type { BridgeConfig } from '../config.js';
import { openQueueSender } from './queue-sender.js';
import { ReferenceApiClient, type MessageSender } from './reference-api-client.js';

/**
 * The bridge's sender: the reference API's queue itself with REFERENCE_API_DIRECT_QUEUE (same
 * Redis), else `POST /api/sms` / `/v1/messages` over HTTP (a remote reference API).
 */
export async function openMessageSender(
  api: BridgeConfig['referenceApi'],
  logger: Logger,
): Promise<MessageSender> {
  if (!api.directQueue) {
    return new ReferenceApiClient(api, logger);
  }
  return openQueueSender(api.directQueue, idempotencyScope(api), logger);
}

/** The caller id the reference API gives these credentials, which scopes its Idempotency-Keys. */
function idempotencyScope(api: BridgeConfig['referenceApi']): string {
  if (api.apiKey) {
    return 'api-key';
  }
  return api.clientCredentials?.clientId ?? 'anonymous';
}
