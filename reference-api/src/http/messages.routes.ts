import { Router, type Request, type Response } from 'express';
import { acceptMessage, type AcceptDeps, type Accepted } from '../messages/accept-message.js';
import {
  fromMessageRequest,
  fromSmsRequest,
  messageRequestSchema,
  parseBody,
  smsRequestSchema,
} from '../messages/message-input.js';
import type { MessageStore } from '../messages/message-store.js';
import { invalidRequest, notFound } from '../errors.js';
import { requireJson } from './error-handler.js';
import type { RequestHandler } from 'express';

const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,255}$/;

function idempotencyOf(req: Request, res: Response) {
  const key = req.get('idempotency-key');
  if (key === undefined) {
    return undefined;
  }
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw invalidRequest([
      { field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' },
    ]);
  }
  return { scope: res.locals.caller?.id ?? 'anonymous', key };
}

function respond(res: Response, { record, replayed, estimatedPrice }: Accepted): void {
  if (replayed) {
    res.setHeader('Idempotent-Replayed', 'true');
  }
  res
    .status(replayed ? 200 : 202)
    .location(`/v1/messages/${record.id}`)
    .json({ id: record.id, status: record.status, ...(estimatedPrice ? { estimatedPrice } : {}) });
}

/** `POST /api/sms`, `POST /v1/messages`, `GET /v1/messages/:id`. */
export function messagesRoutes(
  deps: AcceptDeps & { store: MessageStore },
  auth: RequestHandler,
): Router {
  const router = Router();
  router.post('/api/sms', auth, requireJson, async (req, res) => {
    const input = fromSmsRequest(parseBody(smsRequestSchema, req.body));
    respond(res, await acceptMessage(deps, input, idempotencyOf(req, res)));
  });
  router.post('/v1/messages', auth, requireJson, async (req, res) => {
    const input = fromMessageRequest(parseBody(messageRequestSchema, req.body));
    respond(res, await acceptMessage(deps, input, idempotencyOf(req, res)));
  });
  router.get('/v1/messages/:id', auth, async (req, res) => {
    const id = String(req.params['id'] ?? '');
    const record = /^[0-9a-f-]{36}$/.test(id) ? await deps.store.get(id) : undefined;
    if (!record) {
      throw notFound('message');
    }
    res.json(record);
  });
  return router;
}
