import { fileURLToPath } from 'node:url';
import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { Logger } from '@sms-mfa/common/logger';
import type { ApplicationStore } from '../apps/application-store.js';
import type { BridgeConfig } from '../config.js';
import { CiamError } from '../errors.js';
import { classifyError } from '../http/classify-error.js';
import type { OtpDeps } from '../otp/otp-deps.js';
import type { ClientAuthFailures } from '../ratelimit/rate-limits.js';
import { AdminSessions } from './admin/admin-session.js';
import { adminPageRoutes, onAdminPages, referenceFiguresFrom } from './admin/admin.routes.js';
import { CiamClient } from './demo/ciam-client.js';
import { DemoSessions } from './demo/demo-session.js';
import { DemoUsers } from './demo/demo-users.js';
import { demoOutboxAside, demoRoutes, type DemoEnv } from './demo/demo.routes.js';
import { html } from './html.js';
import { Messages } from './i18n.js';
import { STATIC_PATH } from './layout.js';
import { languageOf, sendPage, type PageEnv } from './page-env.js';
import { Csrf, pageSecurityHeaders } from './security.js';
import { verifyRoutes } from './verify.routes.js';

const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));

/** What the hosted pages are built from (the composition root's). */
export interface PageDeps {
  /** The code engine, shared with the CIAM API. */
  readonly otp: OtpDeps;
  /** Read by the pages; the admin page's sign-in also checks client secrets. */
  readonly apps: Pick<ApplicationStore, 'get' | 'verifySecret'>;
  readonly config: Readonly<BridgeConfig>;
  /** Keys the CSRF tokens and the demo's and the admin page's session cookies. */
  readonly serverSecret: Buffer;
  /** The token endpoints' failed-authentication count, which the admin sign-in shares. */
  readonly clientAuthFailures: ClientAuthFailures;
  readonly logger: Logger;
}

/**
 * The bridge's HTML pages (`startBridge` with `pages`): the hosted code-entry page
 * (`/verify/{authId}`), the admin overview (`/admin`) and, when config.demo.enabled and a demo
 * client is configured, the demo app (`/demo`).
 */
export function pageRoutes(deps: PageDeps): Router {
  const messages = new Messages();
  const secure = deps.config.publicUrl.startsWith('https:');
  const csrf = new Csrf(deps.serverSecret, secure);
  const env: PageEnv = {
    deps: deps.otp,
    apps: deps.apps,
    config: deps.config,
    messages,
    csrf,
    asides: [],
  };
  const router = Router();
  router.use(
    STATIC_PATH,
    express.static(STATIC_DIR, { fallthrough: false, index: false, maxAge: '1h' }),
    staticErrors,
  );
  router.use(['/verify', '/demo'], pageSecurityHeaders());
  router.use(verifyRoutes(env));
  const demo = demoEnv(deps, messages, csrf);
  if (demo) {
    env.asides.push(demoOutboxAside(demo));
    router.use(demoRoutes(demo));
  }
  router.use(adminPageRoutes(adminEnv(deps, messages, csrf, secure)));
  const errors = pageErrors(env, deps.logger);
  router.use(['/verify', '/demo'], errors);
  router.use(onAdminPages(errors));
  return router;
}

function adminEnv(deps: PageDeps, messages: Messages, csrf: Csrf, secure: boolean) {
  const now = deps.otp.now;
  return {
    apps: deps.apps,
    failures: deps.clientAuthFailures,
    audit: deps.otp.audit,
    messages,
    csrf,
    sessions: new AdminSessions(deps.serverSecret, secure, now),
    referenceFigures: referenceFiguresFrom(deps.config.referenceApi.url),
    now,
  };
}

function demoEnv(deps: PageDeps, messages: Messages, csrf: Csrf): DemoEnv | undefined {
  const { demo, demoClient } = deps.config;
  if (!demo.enabled || !demoClient?.clientSecret) {
    return undefined;
  }
  const client = { clientId: demoClient.clientId, clientSecret: demoClient.clientSecret };
  return {
    messages,
    csrf,
    logger: deps.logger,
    sessions: new DemoSessions(deps.serverSecret, deps.config.publicUrl.startsWith('https:')),
    users: new DemoUsers(demo.usersFile),
    ciam: new CiamClient(deps.config, client),
  };
}

/** The file server's refusals are the client's: a path that cannot name a file (400), or no such file (403, 404). */
const staticErrors: ErrorRequestHandler = (err: unknown, req, _res, next) => {
  const status = (err as { status?: unknown }).status;
  if (status === 400) {
    return next(
      new CiamError('INVALID_REQUEST', 'the request path cannot name a file', {
        details: [{ field: 'path', message: 'cannot name a file' }],
      }),
    );
  }
  if (status === 403 || status === 404) {
    return next(new CiamError('NOT_FOUND', `no file at ${req.originalUrl.split('?')[0]}`));
  }
  next(err);
};

/**
 * The page renderer: failures on the pages are pages too, a short, translated notice, never a
 * stack or a JSON body. A request Express cannot read (a link with a malformed percent-escape) is
 * the client's fault: 400, and nothing logged as an error. Anything else is logged, and 503 while
 * the service is unavailable (Redis), 500 otherwise.
 */
function pageErrors(env: PageEnv, logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      return next(err);
    }
    const { error, unreadable } = classifyError(err, req);
    if (unreadable === 'request') {
      return sendNotice(env, req, res, error.status, 'pageUnknownTitle', 'pageBadRequestText');
    }
    if (unreadable) {
      return sendNotice(
        env,
        req,
        res,
        error.status,
        'pageFormRejectedTitle',
        'pageFormRejectedText',
      );
    }
    logger.error('page failed', {
      path: req.path.replace(/[0-9a-f-]{36}/g, ':authId'),
      error: (err as Error)?.message,
    });
    const status = error.code === 'UNAVAILABLE' ? 503 : 500;
    sendNotice(env, req, res, status, 'smsAuthTitle', 'smsAuthUnavailable');
  };
}

function sendNotice(
  env: PageEnv,
  req: Request,
  res: Response,
  status: number,
  titleKey: string,
  textKey: string,
): void {
  const { locale, t } = languageOf(env, req);
  const body = html`<div class="alert alert-danger" role="alert">
    <p>${t(textKey)}</p>
  </div>`;
  sendPage(res, status, { locale, title: t(titleKey), brand: 'sms-mfa', body });
}
