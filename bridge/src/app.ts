import type { IncomingMessage, ServerResponse } from 'node:http';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import { jsonBody } from '@sms-mfa/common/json-body';
import { requestContext } from '@sms-mfa/common/request-context';
import { issuerSettings, type BridgeDeps } from './compose.js';
import { adminRoutes } from './http/admin.routes.js';
import { deviceAuthRoutes } from './http/deviceauth.routes.js';
import { errorHandler, notFoundHandler } from './http/error-handler.js';
import { healthRoutes } from './http/health.routes.js';
import { onlyUnder } from './http/only-under.js';
import { openapi } from './http/openapi.js';
import { tokenRoutes } from './http/token.routes.js';
import { retiredKeyGraceSeconds } from './issuer/keys.js';
import { pageRoutes } from './pages/pages.routes.js';
import { deviceRoutes } from './totp/devices.routes.js';

/** What is mounted beyond the APIs. */
export interface AppOptions {
  /** The hosted code-entry page (`/verify`) and the demo (`/demo`). */
  readonly pages?: boolean | undefined;
}

/**
 * The bridge's Express app, its routers built from the composition root's dependencies. Order
 * matters: token routes read forms and so come before the JSON parser; any error a router does
 * not answer in its own shape (OAuth, pages) ends in the CIAM error handler.
 */
export function createApp(deps: BridgeDeps, options: AppOptions = {}): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // No ETag: every answer here is per request (a code, a status, a token), never revalidated, and
  // hashing each body cost more than building it.
  app.set('etag', false);
  // Whose X-Forwarded-* headers to believe (TRUST_PROXY); they set req.ip, which the per-address limits count.
  app.set('trust proxy', deps.config.trustProxy);
  app.use(requestContext(), deps.metrics.observe);
  app.use(securityHeaders());
  app.use(
    onlyUnder(['/healthz', '/readyz', '/metrics'], healthRoutes(deps.redis, deps.metrics.registry)),
  );
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  mountApis(app, deps);
  if (options.pages) {
    app.use(pageRoutes(deps));
  }
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}

/**
 * helmet()'s default headers, worked out once: they do not depend on the request, and helmet's
 * twelve small middlewares per request cost more than setting the same twelve headers.
 */
function securityHeaders(): RequestHandler {
  const headers: [string, string][] = [];
  const collect = {
    setHeader: (name: string, value: string) => headers.push([name, value]),
    removeHeader: () => undefined,
  };
  helmet()({} as IncomingMessage, collect as unknown as ServerResponse, () => undefined);
  return (_req, res, next) => {
    for (const [name, value] of headers) {
      res.setHeader(name, value);
    }
    next();
  };
}

/** The embedded issuer (absent with OIDC_ISSUER_URL), the admin API and the CIAM MFA API v2. */
function mountApis(app: express.Express, deps: BridgeDeps): void {
  const { apps, keys, requireScope, config } = deps;
  if (keys) {
    app.use(
      onlyUnder(
        ['/realms', '/ciam-mfa/v2/get/token'],
        tokenRoutes({
          apps,
          keys,
          settings: issuerSettings(config),
          realm: config.issuer.realm,
          logger: deps.logger,
          failures: deps.clientAuthFailures,
        }),
      ),
    );
  }
  app.use(jsonBody({ limitBytes: 16 * 1024, strict: true }));
  const keyGraceSeconds = retiredKeyGraceSeconds(config.issuer.tokenTtlSeconds);
  app.use(
    onlyUnder(
      ['/admin/v1'],
      adminRoutes({
        apps,
        requireScope,
        keys,
        keyGraceSeconds,
        serverSecret: deps.serverSecret,
        devices: deps.otp.devices,
        pumping: deps.otp.pumping,
        now: deps.otp.now,
      }),
    ),
  );
  app.use(
    onlyUnder(['/ciam-mfa/v2/deviceAuthentications', '/admin/v1/events'], deviceAuthRoutes(deps)),
  );
  app.use(onlyUnder(['/ciam-mfa/v2/users'], deviceRoutes(deps)));
}
