import express, { type RequestHandler, type Router } from 'express';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import type { Registry } from 'prom-client';
import type { Logger } from '@sms-mfa/common/logger';
import { requestContext } from '@sms-mfa/common/request-context';
import type { ReferenceApiConfig } from './config.js';
import { errorHandler, notFoundHandler } from './http/error-handler.js';
import { healthRoutes, type WorkerCheck } from './http/health.routes.js';
import { jsonBody } from '@sms-mfa/common/json-body';
import { messagesRoutes, smsRoutes } from './http/messages.routes.js';
import { openapi } from './http/openapi.js';
import { outboxRoutes } from './http/outbox.routes.js';
import { webhookRoutes } from './http/webhooks.routes.js';
import type { AcceptDeps } from './messages/accept-message.js';
import type { MessageStore } from './messages/message-store.js';
import type { SendStats } from './metrics/send-stats.js';
import type { ReceiptHandler } from './providers/receipts.js';

/** What the HTTP app is built from. */
export interface AppDeps extends AcceptDeps {
  readonly config: ReferenceApiConfig;
  readonly redis: RedisClient;
  readonly store: MessageStore;
  readonly stats: SendStats;
  readonly receipts: readonly ReceiptHandler[];
  /** Routes providers add (e.g. Telegram chat links), already bound to `auth`. */
  readonly providerRoutes: readonly Router[];
  readonly auth: RequestHandler;
  readonly metrics: { registry: Registry; observe: RequestHandler };
  readonly workerRunning: WorkerCheck;
  readonly logger: Logger;
}

/** The reference API's Express app. */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.trustProxy);
  app.use(requestContext(), deps.metrics.observe);
  // POST /api/sms, the hot path, first: no other route shares its path, so the routers before it
  // (health, webhooks) changed nothing for it but their cost. Its body is read as it was by the
  // parser below (same limit, same answers), and before the route, so a body refused is unmatched.
  const json = jsonBody({ limitBytes: 16 * 1024, strict: false });
  app.use('/api/sms', json);
  app.use(smsRoutes(deps, deps.auth));
  app.use(healthRoutes(deps.redis, deps.workerRunning, deps.metrics.registry));
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use(
    webhookRoutes(deps.receipts, deps.store, deps.stats, deps.logger, deps.config.publicBaseUrl),
  );
  // An email may carry up to 100 KiB of HTML; every other body stays small.
  app.use(
    '/v1/messages',
    express.json({ limit: '256kb', strict: false, type: 'application/json' }),
  );
  app.use(json);
  app.use(messagesRoutes(deps, deps.auth));
  for (const router of deps.providerRoutes) {
    app.use(router);
  }
  if (deps.config.providers.includes('outbox')) {
    app.use(outboxRoutes(deps.redis, deps.config.queuePrefix, deps.auth));
  }
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
