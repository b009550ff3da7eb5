import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import type { ApplicationStore } from '../../apps/application-store.js';
import type { AuditLog } from '../../audit/audit-log.js';
import { html, type SafeHtml } from '../html.js';
import type { Messages } from '../i18n.js';
import { languageOf, sendPage } from '../page-env.js';
import { pageSecurityHeaders, type Csrf } from '../security.js';
import {
  applicationLinks,
  destinationsSection,
  figuresSection,
  formatFor,
} from './admin-overview.view.js';
import { referenceSection } from './admin-reference.view.js';
import type { AdminSessions } from './admin-session.js';
import { ADMIN_SCOPE, signInAdmin, type AdminSignInDeps } from './admin-sign-in.js';
import { adminSignInBody, signedInBar } from './admin-sign-in.view.js';
import { readAuditFigures } from './audit-figures.js';
import { readReferenceFigures, type ReferenceFigures } from './reference-figures.js';

/** What the admin page is built from. */
export interface AdminPageEnv extends AdminSignInDeps {
  readonly apps: Pick<ApplicationStore, 'get' | 'verifySecret'>;
  readonly audit: Pick<AuditLog, 'page'>;
  readonly messages: Messages;
  readonly csrf: Csrf;
  readonly sessions: AdminSessions;
  /** Reads the reference API's `/metrics`; undefined when it cannot. */
  readonly referenceFigures: () => Promise<ReferenceFigures | undefined>;
  readonly now: () => number;
}

/** The admin page's paths, exactly: `/admin/v1/…` is the JSON admin API and must never reach them. */
export const ADMIN_PAGE_PATHS = ['/admin', '/admin/login', '/admin/logout'] as const;
const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/**
 * `GET /admin`: the last 24 hours at a glance (audit trail per hour, the reference API's figures
 * now), behind a sign-in with an `mfa:admin` application's client id and secret; `POST
 * /admin/login` and `POST /admin/logout`. Served under the hosted pages' CSP, with no script.
 */
export function adminPageRoutes(env: AdminPageEnv): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });
  router.all([...ADMIN_PAGE_PATHS], pageSecurityHeaders());
  router.get('/admin', (req, res) => overview(env, req, res));
  router.post('/admin/login', form, (req, res) => signIn(env, req, res));
  router.post('/admin/logout', form, (req, res) => signOut(env, req, res));
  return router;
}

/** Passes `handler` the errors of the admin page's own paths only, never the admin API's. */
export function onAdminPages(handler: ErrorRequestHandler): ErrorRequestHandler {
  return (err, req, res, next) =>
    (ADMIN_PAGE_PATHS as readonly string[]).includes(req.path)
      ? handler(err, req, res, next)
      : next(err);
}

/** The signed-in, still-admin client id, or undefined (a removed scope ends the session at once). */
async function adminOf(env: AdminPageEnv, req: Request): Promise<string | undefined> {
  const clientId = env.sessions.read(req);
  const app = clientId ? await env.apps.get(clientId) : undefined;
  return app?.scopes.includes(ADMIN_SCOPE) ? app.clientId : undefined;
}

async function overview(env: AdminPageEnv, req: Request, res: Response): Promise<void> {
  const clientId = await adminOf(env, req);
  if (!clientId) {
    return showSignIn(env, req, res, 200);
  }
  const { locale, t } = languageOf(env, req);
  const wanted = req.query['application'];
  const application = typeof wanted === 'string' && CLIENT_ID.test(wanted) ? wanted : undefined;
  const [figures, reference] = await Promise.all([
    readAuditFigures(env.audit, env.now(), application),
    env.referenceFigures(),
  ]);
  const f = formatFor(locale, t);
  const body = html`${signedInBar(t, clientId, env.csrf.token(req, res))}
    <p class="instruction">${t('adminIntro')}</p>
    ${applicationLinks(t, figures.applications, application)}
    ${application ? html`<p id="showing">${t('adminShowing', application)}</p>` : ''}
    ${figuresSection(f, figures)} ${destinationsSection(f, figures.destinations)}
    ${referenceSection(t, reference)}`;
  page(env, req, res, 200, 'adminTitle', body);
}

async function signIn(env: AdminPageEnv, req: Request, res: Response): Promise<void> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const clientId = typeof body['client_id'] === 'string' ? body['client_id'].trim() : '';
  const secret = typeof body['client_secret'] === 'string' ? body['client_secret'] : '';
  const shown = clientId.slice(0, 64);
  if (!env.csrf.valid(req)) {
    return showSignIn(env, req, res, 403, 'pageFormExpired', shown);
  }
  const result = await signInAdmin(env, req.ip ?? 'unknown', clientId, secret);
  if (result.kind === 'blocked') {
    res.setHeader('Retry-After', String(result.retryAfterSeconds));
    const minutes = Math.ceil(result.retryAfterSeconds / 60);
    return showSignIn(env, req, res, 429, 'adminBlocked', shown, minutes);
  }
  if (result.kind === 'refused') {
    return showSignIn(env, req, res, 401, 'adminRefused', shown);
  }
  env.sessions.write(res, result.clientId);
  res.redirect(303, '/admin');
}

function signOut(env: AdminPageEnv, req: Request, res: Response): void {
  if (env.csrf.valid(req)) {
    env.sessions.clear(res);
  }
  res.redirect(303, '/admin');
}

function showSignIn(
  env: AdminPageEnv,
  req: Request,
  res: Response,
  status: number,
  errorKey?: string,
  clientId = '',
  ...args: number[]
): void {
  const { t } = languageOf(env, req);
  const error = errorKey ? t(errorKey, ...args) : undefined;
  const body = adminSignInBody(t, { csrf: env.csrf.token(req, res), clientId, error });
  page(env, req, res, status, 'adminSignInTitle', body);
}

function page(
  env: AdminPageEnv,
  req: Request,
  res: Response,
  status: number,
  titleKey: string,
  body: SafeHtml,
): void {
  const { locale, t } = languageOf(env, req);
  sendPage(res, status, {
    locale,
    title: t(titleKey),
    brand: 'sms-mfa',
    body,
    stylesheets: ['admin.css'],
  });
}

/** The reference API's figures from its base URL (the composition root's config). */
export function referenceFiguresFrom(url: string): () => Promise<ReferenceFigures | undefined> {
  return () => readReferenceFigures(url);
}
