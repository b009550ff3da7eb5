import express, { type RequestHandler, type Router } from 'express';
import helmet from 'helmet';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { Logger } from '@sms-mfa/common/logger';
import type { TrustProxy } from '@sms-mfa/common/trust-proxy';
import { requestContext } from '@sms-mfa/common/request-context';
import { errorHandler, notFoundHandler } from './http/error-handler.js';
import { healthRoutes } from './http/health.routes.js';
import { openapi } from './http/openapi.js';

/** What the bridge's HTTP app is assembled from; service.ts builds each part. */
export interface AppDeps {
  readonly redis: Redis;
  readonly logger: Logger;
  /** Whose X-Forwarded-* headers to believe (TRUST_PROXY); they set req.ip, which the per-address limits count. */
  readonly trustProxy: TrustProxy;
  readonly metrics: { readonly registry: Registry; readonly observe: RequestHandler };
  /** The embedded issuer; absent when tokens come from OIDC_ISSUER_URL. */
  readonly tokenRoutes?: Router | undefined;
  readonly adminRoutes: Router;
  /** The CIAM MFA API v2 (`bridge/src/http/deviceauth.routes.ts`). */
  readonly deviceAuthRoutes?: Router | undefined;
  /** Mounted last, before the 404 (hosted pages). */
  readonly extraRouters?: readonly Router[] | undefined;
}

/**
 * The bridge's Express app. Order matters: token routes read forms and so come before the JSON
 * parser; every error, whichever router threw it, ends in the one CIAM error handler.
 */
export function createApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy);
  app.use(requestContext(), deps.metrics.observe);
  app.use(helmet());
  app.use(healthRoutes(deps.redis, deps.metrics.registry));
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  if (deps.tokenRoutes) {
    app.use(deps.tokenRoutes);
  }
  app.use(express.json({ limit: '16kb' }));
  app.use(deps.adminRoutes);
  if (deps.deviceAuthRoutes) {
    app.use(deps.deviceAuthRoutes);
  }
  for (const router of deps.extraRouters ?? []) {
    app.use(router);
  }
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
