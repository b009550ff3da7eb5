import { Router, type Request, type Response } from 'express';
import { acceptMessage, type AcceptDeps, type Accepted } from '../messages/accept-message.js';
import {
  fromMessageRequest,
  fromSmsRequest,
  messageRequestSchema,
  parseBody,
  parseSmsRequest,
} from '../messages/message-input.js';
import type { MessageStore } from '../messages/message-store.js';
import { invalidRequest, notFound } from '../errors.js';
import { requireJson } from './error-handler.js';
import { sendJson } from '@sms-mfa/common/send-json';
import type { RequestHandler } from 'express';

const IDEMPOTENCY_KEY = /^[\x21-\x7E]{1,255}$/;
const PLAIN_ID = /^[0-9A-Za-z-]+$/;

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
  const location = `/v1/messages/${record.id}`;
  // A UUID has nothing to percent-encode; anything else is encoded as res.location does it.
  if (PLAIN_ID.test(record.id)) {
    res.setHeader('Location', location);
  } else {
    res.location(location);
  }
  sendJson(res, replayed ? 200 : 202, {
    id: record.id,
    status: record.status,
    ...(estimatedPrice ? { estimatedPrice } : {}),
  });
}

/** `POST /api/sms`, the QriarLabs extension's route (mounted first: it is the hot path). */
export function smsRoutes(deps: AcceptDeps, auth: RequestHandler): Router {
  const router = Router();
  router.post('/api/sms', auth, requireJson, async (req, res) => {
    const input = fromSmsRequest(parseSmsRequest(req.body));
    respond(res, await acceptMessage(deps, input, idempotencyOf(req, res)));
  });
  return router;
}

/** `POST /v1/messages`, `GET /v1/messages/:id`. */
export function messagesRoutes(
  deps: AcceptDeps & { store: MessageStore },
  auth: RequestHandler,
): Router {
  const router = Router();
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
