import {
  Router,
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';
import { sendJson } from '@sms-mfa/common/send-json';
import { parseInput } from '../apps/application-input.js';
import { auditRoutes } from '../audit/audit.routes.js';
import { CiamError } from '../errors.js';
import { describeAuthentication } from '../otp/auth-status.js';
import { cancelAuthentication } from '../otp/cancel.js';
import { issueCode } from '../otp/issue-code.js';
import type { OtpDeps } from '../otp/otp-deps.js';
import { resendCode } from '../otp/resend-code.js';
import { verifyCode } from '../otp/verify-code.js';
import { totpSignIn } from '../totp/totp-sign-in.js';
import { applicationOf as appOf, type RequireScope } from './auth.middleware.js';
import { issueBodySchema, parseVerifyBody, resendBodySchema } from './deviceauth.schemas.js';

/** What the CIAM deviceAuthentications router is built from (the composition root's). */
export interface DeviceAuthDeps {
  /** The code engine, shared with the hosted pages. */
  readonly otp: OtpDeps;
  readonly requireScope: RequireScope;
}

const BASE = '/ciam-mfa/v2/deviceAuthentications';
const SENT = { status: 'SUCCESS', message: 'OTP has been sent to the device ' } as const;
const VALIDATED = { status: 'SUCCESS', message: 'OTP has been validated successfully' } as const;

/**
 * The CIAM MFA API v2 deviceAuthentications endpoints (shared/DESIGN.md), plus status, resend and
 * cancel, and `GET /admin/v1/events`.
 */
export function deviceAuthRoutes(deps: DeviceAuthDeps): Router {
  const handle = handlers(deps.otp);
  const send = deps.requireScope('mfa:send');
  const verify = deps.requireScope('mfa:verify');
  const router = Router();
  router.use(BASE, noStore);
  router.post(BASE, send, totpSignIn(deps.otp), handle.issue);
  router.post(`${BASE}/:authId`, verify, handle.verify);
  router.get(`${BASE}/:authId`, eitherScope(send, verify), handle.status);
  router.post(`${BASE}/:authId/resend`, send, handle.resend);
  router.delete(`${BASE}/:authId`, send, handle.cancel);
  router.use(auditRoutes(deps.otp.audit, deps.requireScope('mfa:admin')));
  return router;
}

/** Each handler only parses, calls a use case and responds. */
function handlers(deps: OtpDeps) {
  return {
    issue: (async (req, res) => {
      const { authId } = await issueCode(deps, appOf(res), parseInput(issueBodySchema, req.body));
      sendJson(res, 201, { authId, ...SENT });
    }) satisfies RequestHandler,
    verify: (async (req, res) => {
      await verifyCode(deps, appOf(res), { authId: authIdOf(req), ...parseVerifyBody(req.body) });
      sendJson(res, 200, VALIDATED);
    }) satisfies RequestHandler,
    status: (async (req, res) => {
      res.json(await describeAuthentication(deps, appOf(res), authIdOf(req)));
    }) satisfies RequestHandler,
    resend: (async (req, res) => {
      const { ipAddress } = parseInput(resendBodySchema, req.body ?? {});
      res.json({ ...SENT, ...(await resendCode(deps, appOf(res), authIdOf(req), ipAddress)) });
    }) satisfies RequestHandler,
    cancel: (async (req, res) => {
      await cancelAuthentication(deps, appOf(res), authIdOf(req));
      res.status(204).end();
    }) satisfies RequestHandler,
  };
}

function authIdOf(req: Request): string {
  return String(req.params['authId'] ?? '');
}

function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}

/** Admits a token with either scope: the first check's 403 (missing scope) falls through to the second. */
function eitherScope(first: RequestHandler, second: RequestHandler): RequestHandler {
  return (req, res, next) => {
    void first(req, res, (err?: unknown) => {
      if (err instanceof CiamError && err.code === 'FORBIDDEN') {
        return void second(req, res, next);
      }
      next(err);
    });
  };
}
