import express, { Router, type Request, type Response } from 'express';
import type { Logger } from '@sms-mfa/common/logger';
import type { Messages } from '../i18n.js';
import { languageOf, sendPage, type Aside } from '../page-env.js';
import type { Csrf } from '../security.js';
import { CiamCallError, type CiamClient } from './ciam-client.js';
import type { DemoSessions } from './demo-session.js';
import { DEFAULT_DEMO_LOGIN, type DemoUser, type DemoUsers } from './demo-users.js';
import { demoTotpRoutes } from './demo-totp.routes.js';
import { chooseBody, totpSection } from './demo-totp.view.js';
import { landingBody, loginBody, outboxPanel, personalInfoBody } from './demo.view.js';

/** What the demo application is built from. */
export interface DemoEnv {
  readonly messages: Messages;
  readonly csrf: Csrf;
  readonly sessions: DemoSessions;
  readonly users: DemoUsers;
  readonly ciam: CiamClient;
  readonly logger: Logger;
}

const CALLBACK = '/demo/callback';

/** How a code comes: by SMS, or from the user's authenticator app. */
type Method = 'sms' | 'totp';

/**
 * The demo application (`/demo`): a landing page, a username and password form, then a code sent
 * through the CIAM MFA API (or, once set up, from an authenticator app) and entered on the hosted
 * page, then "Personal info", where an authenticator app can be set up.
 */
export function demoRoutes(env: DemoEnv): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });
  router.get('/demo', (req, res) =>
    page(
      env,
      req,
      res,
      200,
      'demoTitle',
      landingBody(languageOf(env, req).t, env.sessions.read(req)?.stage === 'in'),
    ),
  );
  router.get('/demo/login', (req, res) =>
    showLogin(env, req, res, 200, req.query['again'] ? 'demoSignInAgain' : undefined),
  );
  router.post('/demo/login', form, (req, res) => signIn(env, req, res));
  router.get('/demo/choose', (req, res) => showChoice(env, req, res));
  router.post('/demo/choose', form, (req, res) => choose(env, req, res));
  router.get(CALLBACK, (req, res) => callback(env, req, res));
  router.get('/demo/me', (req, res) => personalInfo(env, req, res));
  router.post('/demo/logout', form, (req, res) => signOut(env, req, res));
  router.use(demoTotpRoutes(env));
  return router;
}

async function signIn(env: DemoEnv, req: Request, res: Response): Promise<void> {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const username = typeof body['username'] === 'string' ? body['username'].trim().slice(0, 64) : '';
  const password = typeof body['password'] === 'string' ? body['password'].slice(0, 256) : '';
  if (!env.csrf.valid(req)) {
    return showLogin(env, req, res, 403, 'pageFormExpired', username);
  }
  const user = await env.users.authenticate(username, password);
  if (!user) {
    return showLogin(env, req, res, 401, 'demoBadCredentials', username);
  }
  if (await hasAuthenticator(env, user.username)) {
    env.sessions.write(res, { username: user.username, stage: 'choose' });
    return res.redirect(303, '/demo/choose');
  }
  await sendCodeTo(env, req, res, user, 'sms');
}

/** Whether the user has an active authenticator app (then the sign-in offers it besides SMS). */
async function hasAuthenticator(env: DemoEnv, username: string): Promise<boolean> {
  const devices = await env.ciam.devices(username).catch((err: unknown) => {
    if (err instanceof CiamCallError) {
      return [];
    }
    throw err;
  });
  return devices.some((d) => d.status === 'ACTIVE');
}

async function showChoice(env: DemoEnv, req: Request, res: Response): Promise<void> {
  const session = env.sessions.read(req);
  const user = session?.stage === 'choose' ? await env.users.find(session.username) : undefined;
  if (!user) {
    return res.redirect(303, '/demo/login');
  }
  const body = chooseBody(languageOf(env, req).t, env.csrf.token(req, res), user.mobile_number);
  page(env, req, res, 200, 'demoChooseTitle', body);
}

async function choose(env: DemoEnv, req: Request, res: Response): Promise<void> {
  const session = env.sessions.read(req);
  const user = session?.stage === 'choose' ? await env.users.find(session.username) : undefined;
  if (!user || !env.csrf.valid(req)) {
    return res.redirect(303, user ? '/demo/choose' : '/demo/login');
  }
  const method = (req.body as Record<string, unknown>)['method'] === 'totp' ? 'totp' : 'sms';
  await sendCodeTo(env, req, res, user, method);
}

/** Asks the CIAM API for a code (or a TOTP sign-in) and sends the browser to the hosted code-entry page. */
async function sendCodeTo(
  env: DemoEnv,
  req: Request,
  res: Response,
  user: DemoUser,
  method: Method,
): Promise<void> {
  let authId: string;
  try {
    authId =
      method === 'totp'
        ? await env.ciam.startTotp(user.username)
        : await env.ciam.sendCode(user.username, user.mobile_number);
  } catch (err) {
    if (!(err instanceof CiamCallError)) {
      throw err;
    }
    env.logger.warn('demo: the CIAM API refused to send a code', {
      status: err.status,
      errorCode: err.code, // not `code`: the log redactor blanks that key, meant for one-time codes
    });
    const { t } = languageOf(env, req);
    return showLogin(
      env,
      req,
      res,
      502,
      undefined,
      user.username,
      t('smsAuthSmsNotSent', err.message),
    );
  }
  env.sessions.write(res, { username: user.username, stage: 'code', authId, method });
  res.redirect(303, `/verify/${authId}?return_to=${encodeURIComponent(CALLBACK)}`);
}

/** Back from the hosted page: trusts no query parameter, only the CIAM API's own answer. */
async function callback(env: DemoEnv, req: Request, res: Response): Promise<void> {
  const session = env.sessions.read(req);
  const authId = req.query['authId'];
  if (session?.stage !== 'code' || typeof authId !== 'string' || session.authId !== authId) {
    return res.redirect(303, '/demo/login?again=1');
  }
  const status = await env.ciam.status(authId).catch((err: unknown) => {
    if (err instanceof CiamCallError) {
      return undefined;
    }
    throw err;
  });
  const user = await env.users.find(session.username);
  if (status?.status === 'approved' && user) {
    env.sessions.write(res, { username: user.username, stage: 'in', method: session.method });
    return res.redirect(303, '/demo/me');
  }
  if (status?.status === 'expired' && user) {
    return sendCodeTo(env, req, res, user, session.method ?? 'sms');
  }
  env.sessions.clear(res);
  res.redirect(303, '/demo/login?again=1');
}

async function personalInfo(env: DemoEnv, req: Request, res: Response): Promise<void> {
  const session = env.sessions.read(req);
  const user = session?.stage === 'in' ? await env.users.find(session.username) : undefined;
  if (!user) {
    return res.redirect(303, '/demo/login');
  }
  const { t } = languageOf(env, req);
  const csrf = env.csrf.token(req, res);
  const notice = req.query['totp'];
  const totp = totpSection(t, {
    csrf,
    active: await hasAuthenticator(env, user.username),
    notice: notice === 'activated' || notice === 'expired' ? notice : undefined,
  });
  const intro = session?.method === 'totp' ? 'demoPersonalInfoIntroTotp' : 'demoPersonalInfoIntro';
  page(env, req, res, 200, 'demoPersonalInfo', personalInfoBody(t, user, csrf, { intro, totp }));
}

function signOut(env: DemoEnv, req: Request, res: Response): void {
  if (env.csrf.valid(req)) {
    env.sessions.clear(res);
  }
  res.redirect(303, '/demo');
}

async function showLogin(
  env: DemoEnv,
  req: Request,
  res: Response,
  status: number,
  errorKey?: string,
  username = '',
  errorText?: string,
): Promise<void> {
  const { t } = languageOf(env, req);
  const hint = (await env.users.defaultLoginWorks()) ? DEFAULT_DEMO_LOGIN : undefined;
  const error = errorText ?? (errorKey ? t(errorKey) : undefined);
  page(
    env,
    req,
    res,
    status,
    'demoSignInTitle',
    loginBody(t, { csrf: env.csrf.token(req, res), username, error, hint }),
  );
}

function page(
  env: DemoEnv,
  req: Request,
  res: Response,
  status: number,
  titleKey: string,
  body: ReturnType<typeof landingBody>,
): void {
  const { locale, t } = languageOf(env, req);
  sendPage(res, status, { locale, title: t(titleKey), brand: t('demoTitle'), body });
}

/** The dev outbox beside the hosted code form, for the browser whose demo session started that authentication. */
export function demoOutboxAside(env: DemoEnv): Aside {
  return async (req, authId, t) => {
    const session = env.sessions.read(req);
    if (session?.stage !== 'code' || session.authId !== authId || session.method === 'totp') {
      return undefined;
    }
    const user = await env.users.find(session.username);
    if (!user) {
      return undefined;
    }
    return outboxPanel(
      t,
      user.mobile_number,
      await waitForOutbox(env, user.mobile_number),
      req.originalUrl,
    );
  };
}

/** The outbox a moment after the send: the worker "delivers" asynchronously, so wait briefly for a first message. */
async function waitForOutbox(env: DemoEnv, phone: string) {
  for (let i = 0; ; i++) {
    const messages = await env.ciam.outbox(phone);
    if (messages.length || i >= 20) {
      return messages;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
