import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { parseInput } from '../apps/application-input.js';
import type { AuditLog } from './audit-log.js';

const querySchema = z.strictObject({
  cursor: z
    .string()
    .regex(/^\d{1,20}-\d{1,20}(-\d{1,2})?$/, 'must be a nextCursor from an earlier page')
    .optional(),
  limit: z
    .string()
    .regex(/^\d{1,4}$/, 'must be a whole number from 1 to 1000')
    .transform(Number)
    .pipe(z.number().min(1, 'must be at least 1').max(1000, 'must be at most 1000'))
    .default(100),
});

/** `GET /admin/v1/events?cursor=&limit=` (scope mfa:admin): the audit trail, newest first, a page at a time. */
export function auditRoutes(audit: AuditLog, requireAdmin: RequestHandler): Router {
  const router = Router();
  router.get('/admin/v1/events', requireAdmin, async (req, res) => {
    const { cursor, limit } = parseInput(querySchema, {
      ...(req.query as Record<string, unknown>),
    });
    const page = await audit.page(cursor, limit);
    res.setHeader('Cache-Control', 'no-store');
    res.json({ events: page.events, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) });
  });
  return router;
}
