import { fileURLToPath } from 'node:url';
import express, { Router, type ErrorRequestHandler } from 'express';
import type { Logger } from '@sms-mfa/common/logger';
import { createOtpDeps, type DeviceAuthContext } from '../http/deviceauth.routes.js';
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

/**
 * The bridge's HTML pages, for `startBridge`'s `extraRouters`: the hosted code-entry page
 * (`/verify/{authId}`) and, when config.demo.enabled and a demo client is configured, the demo app (`/demo`).
 */
export function pageRouters(ctx: DeviceAuthContext): Router[] {
  const messages = new Messages();
  const secure = ctx.config.publicUrl.startsWith('https:');
  const csrf = new Csrf(ctx.serverSecret, secure);
  const env: PageEnv = {
    deps: createOtpDeps(ctx),
    apps: ctx.apps,
    config: ctx.config,
    messages,
    csrf,
    asides: [],
  };
  const router = Router();
  router.use(
    STATIC_PATH,
    express.static(STATIC_DIR, { fallthrough: false, index: false, maxAge: '1h' }),
  );
  router.use(['/verify', '/demo'], pageSecurityHeaders());
  router.use(verifyRoutes(env));
  const demo = demoEnv(ctx, messages, csrf);
  if (demo) {
    env.asides.push(demoOutboxAside(demo));
    router.use(demoRoutes(demo));
  }
  router.use(['/verify', '/demo'], pageErrors(env, ctx.logger));
  return [router];
}

function demoEnv(ctx: DeviceAuthContext, messages: Messages, csrf: Csrf): DemoEnv | undefined {
  const { demo, demoClient } = ctx.config;
  if (!demo.enabled || !demoClient?.clientSecret) return undefined;
  const client = { clientId: demoClient.clientId, clientSecret: demoClient.clientSecret };
  return {
    messages,
    csrf,
    logger: ctx.logger,
    sessions: new DemoSessions(ctx.serverSecret, ctx.config.publicUrl.startsWith('https:')),
    users: new DemoUsers(demo.usersFile),
    ciam: new CiamClient(ctx.config, client),
  };
}

/** Failures on the pages are pages too: a short, translated notice, never a stack or a JSON body. */
function pageErrors(env: PageEnv, logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const unavailable =
      /Connection is closed|ECONNREFUSED|MaxRetriesPerRequest|enableOfflineQueue|UNAVAILABLE/.test(
        String((err as Error)?.message) + String((err as { code?: string })?.code),
      );
    logger.error('page failed', {
      path: req.path.replace(/[0-9a-f-]{36}/g, ':authId'),
      error: (err as Error)?.message,
    });
    const { locale, t } = languageOf(env, req);
    const body = html`<div class="alert alert-danger" role="alert">
      <p>${t('smsAuthUnavailable')}</p>
    </div>`;
    sendPage(res, unavailable ? 503 : 500, {
      locale,
      title: t('smsAuthTitle'),
      brand: 'sms-mfa',
      body,
    });
  };
}
