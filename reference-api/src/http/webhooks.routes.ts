import express, { Router } from 'express';
import type { Logger } from '@sms-mfa/common/logger';
import type { MessageStore } from '../messages/message-store.js';
import type { SendStats } from '../metrics/send-stats.js';
import {
  ReceiptSignatureError,
  type DeliveryReceipt,
  type ReceiptHandler,
  type WebhookRequest,
} from '../providers/receipts.js';
import { unauthorized } from '../errors.js';

/** `POST /webhooks/:provider`: signed delivery receipts move messages forward (never backwards). */
export function webhookRoutes(
  handlers: readonly ReceiptHandler[],
  store: MessageStore,
  stats: SendStats,
  logger: Logger,
  publicBaseUrl: string | undefined,
): Router {
  const router = Router();
  const raw = express.raw({ type: () => true, limit: '64kb' });
  for (const handler of handlers) {
    // Vonage can be set to deliver receipts by GET (query string) as well as POST.
    router.route(`/webhooks/${handler.providerId}`).get(raw, receive).post(raw, receive);
    async function receive(req: express.Request, res: express.Response): Promise<void> {
      const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const request: WebhookRequest = {
        method: req.method,
        url: `${publicBaseUrl ?? `${req.protocol}://${req.get('host')}`}${req.originalUrl}`,
        headers: req.headers,
        rawBody,
        params: {
          ...(req.query as Record<string, unknown>),
          ...parseBody(req.get('content-type'), rawBody),
        },
      };
      let receipts;
      try {
        receipts = handler.parse(request);
      } catch (err) {
        if (err instanceof ReceiptSignatureError) {
          throw unauthorized(`receipt rejected: ${err.message}`);
        }
        throw err;
      }
      for (const receipt of receipts) {
        const id = await messageOf(store, handler.providerId, receipt);
        if (!id) {
          continue;
        }
        const moved =
          'applied' ===
          (await store.apply(
            id,
            receipt.status,
            {
              provider: handler.providerId,
              ...(receipt.errorCode ? { errorCode: receipt.errorCode } : {}),
            },
            receipt.at ?? new Date(),
          ));
        if (moved && receipt.status !== 'sent') {
          stats.record(handler.providerId, receipt.status);
        }
        logger.info('delivery receipt', {
          messageId: id,
          provider: handler.providerId,
          status: receipt.status,
          applied: moved,
        });
      }
      res.status(200).json({ received: receipts.length });
    }
  }
  return router;
}

/** The message a receipt is about: the id it echoes if this provider sent that message, else by provider id. */
async function messageOf(
  store: MessageStore,
  providerId: string,
  receipt: DeliveryReceipt,
): Promise<string | undefined> {
  if (receipt.messageId && /^[0-9a-f-]{36}$/.test(receipt.messageId)) {
    const record = await store.get(receipt.messageId);
    if (record?.provider === providerId) {
      return record.id;
    }
  }
  return store.findByProviderId(providerId, receipt.providerMessageId);
}

function parseBody(contentType: string | undefined, body: Buffer): Record<string, unknown> {
  if (!body.length) {
    return {};
  }
  const text = body.toString('utf8');
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  if (contentType?.includes('json')) {
    try {
      const parsed: unknown = JSON.parse(text);
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : {};
    } catch {
      return {};
    }
  }
  return {};
}
