import { Router, type RequestHandler } from 'express';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import { readOutbox } from '../providers/outbox/outbox.provider.js';
import { invalidRequest } from '../errors.js';
import { normaliseAddress } from '../messages/mailbox.js';

// A number as it was sent (E.164, formatting dropped); an address with its domain lower-cased, as queued.
function destinationFilter(to: string): string {
  return to.includes('@') ? normaliseAddress(to.trim()) : to.replace(/[^\d+]/g, '');
}

/** `GET /dev/outbox?to=&limit=`: what the dev provider "sent", newest first. */
export function outboxRoutes(redis: RedisClient, prefix: string, auth: RequestHandler): Router {
  const router = Router();
  router.get('/dev/outbox', auth, async (req, res) => {
    const limit = req.query['limit'] === undefined ? 50 : Number(req.query['limit']);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw invalidRequest([{ field: 'limit', message: 'must be a whole number from 1 to 1000' }]);
    }
    const to = typeof req.query['to'] === 'string' ? destinationFilter(req.query['to']) : undefined;
    res.json(await readOutbox(redis, prefix, limit, to));
  });
  return router;
}
