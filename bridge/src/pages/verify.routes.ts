import express, { Router, type Request, type Response } from 'express';
import { AppError } from '@sms-mfa/common/app-error';
import type { Application, DeviceType } from '../apps/application.js';
import type { PublicStatus } from '../otp/auth-record.js';
import { describeAuthentication } from '../otp/auth-status.js';
import { resendCode } from '../otp/resend-code.js';
import { verifyCode } from '../otp/verify-code.js';
import { languageOf, sendPage, type PageEnv } from './page-env.js';
import { allowedReturnUrl, returnWith, userOrigin } from './return-url.js';
import { allowFormTarget } from './security.js';
import {
  codeForm,
  NOTICES,
  outcomeBody,
  outcomeTitle,
  type Notice,
  type Outcome,
} from './verify.view.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GENERIC_BRAND = 'sms-mfa';

interface Target {
  readonly authId: string;
  readonly app: Application;
  readonly codeLength: number;
}

/**
 * The hosted code-entry page: `GET /verify/{authId}?return_to=...` shows the form or the outcome;
 * the form posts to `/verify/{authId}` and `/verify/{authId}/resend`, each answered by a redirect.
 */
export function verifyRoutes(env: PageEnv): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });
  router.get('/verify/:authId', (req, res) => showPage(env, req, res));
  router.post('/verify/:authId', form, (req, res) => submitCode(env, req, res));
  router.post('/verify/:authId/resend', form, (req, res) => askResend(env, req, res));
  return router;
}

async function showPage(env: PageEnv, req: Request, res: Response): Promise<void> {
  const target = await findTarget(env, req);
  if (!target) {
    return showOutcome(env, req, res, 'unknown', undefined);
  }
  const view = await describeAuthentication(env.deps, target.app, target.authId);
  const returnTo = returnUrlOf(env, req, target, req.query['return_to']);
  allowFormTarget(res, returnTo?.origin);
  if (view.status !== 'pending') {
    return showOutcome(
      env,
      req,
      res,
      outcomeOf(view.status),
      returnTo && returnWith(returnTo, target.authId, view.status),
      target.app.brand,
    );
  }
  const { locale, t } = languageOf(env, req);
  const resendAt = view.resendAvailableAt ? Date.parse(view.resendAvailableAt) : undefined;
  const body = codeForm(t, {
    authId: target.authId,
    phoneMasked: view.phoneNumber ?? '',
    email: view.email,
    totp: view.deviceType === 'TOTP',
    codeLength: target.codeLength,
    attemptsRemaining: view.attemptsRemaining,
    resendInSeconds:
      resendAt === undefined ? null : Math.max(0, Math.ceil((resendAt - env.deps.now()) / 1000)),
    notice: noticeOf(req.query['m']),
    waitSeconds: Math.min(86_400, Math.max(0, Number(req.query['w']) || 0)),
    returnTo: returnTo?.href,
    csrf: env.csrf.token(req, res),
  });
  const aside = await firstAside(env, req, target.authId, t);
  sendPage(res, 200, {
    locale,
    title: t(titleKey(view.deviceType)),
    brand: target.app.brand,
    body,
    aside,
    scripts: ['verify.js'],
  });
}

async function submitCode(env: PageEnv, req: Request, res: Response): Promise<void> {
  const target = await findTarget(env, req);
  if (!target) {
    return showOutcome(env, req, res, 'unknown', undefined);
  }
  const returnTo = returnUrlOf(env, req, target, bodyField(req, 'return_to'));
  if (!env.csrf.valid(req)) {
    return backToPage(res, target, returnTo, 'csrf');
  }
  // People paste "123 456" or "123-456"; the code itself is digits only.
  const code = (bodyField(req, 'code') ?? '').replace(/[\s-]/g, '');
  if (!code) {
    return backToPage(res, target, returnTo, 'required');
  }
  try {
    await verifyCode(env.deps, target.app, { authId: target.authId, otp: code });
  } catch (err) {
    return backToPage(res, target, returnTo, ...noticeFor(err, 'rate_limited'));
  }
  res.redirect(
    303,
    returnTo ? returnWith(returnTo, target.authId, 'approved') : pagePath(target, undefined),
  );
}

async function askResend(env: PageEnv, req: Request, res: Response): Promise<void> {
  const target = await findTarget(env, req);
  if (!target) {
    return showOutcome(env, req, res, 'unknown', undefined);
  }
  const returnTo = returnUrlOf(env, req, target, bodyField(req, 'return_to'));
  if (!env.csrf.valid(req)) {
    return backToPage(res, target, returnTo, 'csrf');
  }
  try {
    await resendCode(env.deps, target.app, target.authId, req.ip);
  } catch (err) {
    return backToPage(res, target, returnTo, ...noticeFor(err, 'too_soon'));
  }
  backToPage(res, target, returnTo, 'resent');
}

/** The authentication named in the path and the application it belongs to, or undefined. */
async function findTarget(env: PageEnv, req: Request): Promise<Target | undefined> {
  const authId = String(req.params['authId'] ?? '');
  const record = UUID.test(authId) ? await env.deps.store.get(authId) : undefined;
  const app = record && (await env.apps.get(record.clientId));
  return record && app ? { authId, app, codeLength: record.codeLength } : undefined;
}

/** The return URL the application allows, on the origin the user is on when it is a path. */
function returnUrlOf(env: PageEnv, req: Request, target: Target, value: unknown): URL | undefined {
  const { publicUrl } = env.config;
  return allowedReturnUrl(target.app, value, publicUrl, userOrigin(req, publicUrl));
}

/** A refusal as a notice on the form; finished states need none (the page shows them). */
function noticeFor(err: unknown, limited: Notice): [Notice | undefined, number?] {
  if (!(err instanceof AppError)) {
    throw err;
  }
  if (err.code === 'OTP_INVALID') {
    return ['invalid'];
  }
  if (err.code === 'OTP_REPLAYED') {
    return ['replayed'];
  }
  if (err.code === 'INVALID_REQUEST') {
    return ['format'];
  }
  if (err.code === 'RATE_LIMITED') {
    return [limited, Number(err.headers['Retry-After'] ?? 0)];
  }
  if (['UNAVAILABLE', 'DELIVERY_UNAVAILABLE', 'EMAIL_NOT_ALLOWED'].includes(err.code)) {
    return ['unavailable'];
  }
  if (
    ['OTP_EXPIRED', 'MAX_ATTEMPTS_REACHED', 'ALREADY_VALIDATED', 'AUTH_NOT_FOUND'].includes(
      err.code,
    )
  ) {
    return [undefined];
  }
  throw err;
}

function backToPage(
  res: Response,
  target: Target,
  returnTo: URL | undefined,
  notice?: Notice,
  waitSeconds?: number,
): void {
  res.redirect(303, pagePath(target, returnTo, notice, waitSeconds));
}

function pagePath(
  target: Target,
  returnTo: URL | undefined,
  notice?: Notice,
  waitSeconds?: number,
): string {
  const query = new URLSearchParams();
  if (returnTo) {
    query.set('return_to', returnTo.href);
  }
  if (notice) {
    query.set('m', notice);
  }
  if (waitSeconds) {
    query.set('w', String(Math.ceil(waitSeconds)));
  }
  const search = query.toString();
  return `/verify/${target.authId}${search ? `?${search}` : ''}`;
}

function showOutcome(
  env: PageEnv,
  req: Request,
  res: Response,
  outcome: Outcome,
  link: string | undefined,
  brand = GENERIC_BRAND,
): void {
  const { locale, t } = languageOf(env, req);
  sendPage(res, outcome === 'unknown' ? 404 : 200, {
    locale,
    title: outcomeTitle(t, outcome),
    brand,
    body: outcomeBody(t, outcome, link),
  });
}

function outcomeOf(status: PublicStatus): Outcome {
  if (status === 'approved') {
    return 'approved';
  }
  if (status === 'expired') {
    return 'expired';
  }
  if (status === 'max_attempts_reached') {
    return 'locked';
  }
  return 'unknown';
}

async function firstAside(
  env: PageEnv,
  req: Request,
  authId: string,
  t: Parameters<PageEnv['asides'][number]>[2],
) {
  for (const aside of env.asides) {
    const panel = await aside(req, authId, t);
    if (panel) {
      return panel;
    }
  }
  return undefined;
}

/** The page's title: what kind of code the user is asked for. */
function titleKey(deviceType: DeviceType): string {
  if (deviceType === 'TOTP') {
    return 'pageTotpTitle';
  }
  return deviceType === 'EMAIL' ? 'pageEmailTitle' : 'smsAuthTitle';
}

function noticeOf(value: unknown): Notice | undefined {
  return (NOTICES as readonly unknown[]).includes(value) ? (value as Notice) : undefined;
}

function bodyField(req: Request, name: string): string | undefined {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}
