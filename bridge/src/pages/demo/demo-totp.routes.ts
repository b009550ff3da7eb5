import express, { Router, type Request, type Response } from 'express';
import type { Logger } from '@sms-mfa/common/logger';
import { qrCodeSvg } from '../../totp/qr-code.js';
import type { Messages } from '../i18n.js';
import { languageOf, sendPage } from '../page-env.js';
import type { Csrf } from '../security.js';
import { CiamCallError, type CiamClient } from './ciam-client.js';
import type { DemoSession, DemoSessions } from './demo-session.js';
import { totpSetupBody, type TotpSetupView } from './demo-totp.view.js';

/** What the setup pages use of the demo's environment. */
export interface DemoTotpEnv {
  readonly messages: Messages;
  readonly csrf: Csrf;
  readonly sessions: DemoSessions;
  readonly ciam: CiamClient;
  readonly logger: Logger;
}

/** Codes after which the first code can be asked for again; anything else ends the setup. */
const TRY_AGAIN = ['OTP_INVALID', 'INVALID_REQUEST'];

/**
 * The demo's "Set up an authenticator app" (from Personal info): enrol through the CIAM API, show
 * the QR code and key once, activate with the app's first code. Only for a signed-in user.
 */
export function demoTotpRoutes(env: DemoTotpEnv): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });
  router.post('/demo/totp/setup', form, (req, res) => setUp(env, req, res));
  router.post('/demo/totp/activate', form, (req, res) => activate(env, req, res));
  return router;
}

async function setUp(env: DemoTotpEnv, req: Request, res: Response): Promise<void> {
  const session = signedIn(env, req, res);
  if (!session) {
    return;
  }
  let enrolment;
  try {
    enrolment = await env.ciam.enrolTotp(session.username);
  } catch (err) {
    return refused(env, res, err);
  }
  env.sessions.write(res, { ...session, enrolling: enrolment.deviceId });
  showSetup(env, req, res, 200, {
    digits: enrolment.digits,
    qrSvg: await qrCodeSvg(enrolment.otpauthUri),
    secret: enrolment.secret,
  });
}

async function activate(env: DemoTotpEnv, req: Request, res: Response): Promise<void> {
  const session = signedIn(env, req, res);
  if (!session) {
    return;
  }
  if (!session.enrolling) {
    return res.redirect(303, '/demo/me?totp=expired');
  }
  const raw = (req.body as Record<string, unknown> | undefined)?.['code'];
  const code = typeof raw === 'string' ? raw.replace(/[\s-]/g, '').slice(0, 16) : '';
  try {
    await env.ciam.activateTotp(session.username, session.enrolling, code);
  } catch (err) {
    if (err instanceof CiamCallError && TRY_AGAIN.includes(err.code ?? '')) {
      const devices = await env.ciam.devices(session.username);
      const digits = devices.find((d) => d.deviceId === session.enrolling)?.digits ?? 6;
      const { t } = languageOf(env, req);
      return showSetup(env, req, res, 400, { digits, error: t('demoTotpWrongCode') });
    }
    return refused(env, res, err);
  }
  env.sessions.write(res, { ...session, enrolling: undefined });
  res.redirect(303, '/demo/me?totp=activated');
}

/** The signed-in session of a form post with a valid CSRF token; otherwise answers with a redirect. */
function signedIn(env: DemoTotpEnv, req: Request, res: Response): DemoSession | undefined {
  const session = env.sessions.read(req);
  if (session?.stage !== 'in') {
    res.redirect(303, '/demo/login');
    return undefined;
  }
  if (!env.csrf.valid(req)) {
    res.redirect(303, '/demo/me');
    return undefined;
  }
  return session;
}

/** A setup the CIAM API ended (expired, too many codes, TOTP off): back to Personal info, which says so. */
function refused(env: DemoTotpEnv, res: Response, err: unknown): void {
  if (!(err instanceof CiamCallError)) {
    throw err;
  }
  env.logger.warn('demo: the CIAM API refused an authenticator-app setup', {
    status: err.status,
    errorCode: err.code, // not `code`: the log redactor blanks that key, meant for one-time codes
  });
  res.redirect(303, '/demo/me?totp=expired');
}

function showSetup(
  env: DemoTotpEnv,
  req: Request,
  res: Response,
  status: number,
  view: Omit<TotpSetupView, 'csrf' | 'account'>,
): void {
  const { locale, t } = languageOf(env, req);
  const account = env.sessions.read(req)?.username ?? '';
  const body = totpSetupBody(t, { ...view, account, csrf: env.csrf.token(req, res) });
  sendPage(res, status, { locale, title: t('demoTotpSetUp'), brand: t('demoTitle'), body });
}
