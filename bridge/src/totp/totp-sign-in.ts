import type { RequestHandler } from 'express';
import { parseInput } from '../apps/application-input.js';
import { applicationOf } from '../http/auth.middleware.js';
import type { OtpDeps } from '../otp/otp-deps.js';
import { startTotpSignIn } from './start-totp.js';
import { asksForTotp, totpSignInBodySchema } from './totp.schemas.js';

/** The published API's answer to a TOTP sign-in (otp-apis.md §1): nothing was sent. */
const STARTED = {
  status: 'SUCCESS',
  message: 'Please get the OTP from registered device to authenticate',
} as const;

/**
 * The handler of `POST /ciam-mfa/v2/deviceAuthentications` for `deviceType: "totp"`: starts a
 * sign-in that the user's authenticator app answers. Any other device type goes on to the send path.
 */
export function totpSignIn(deps: OtpDeps): RequestHandler {
  return async (req, res, next) => {
    if (!asksForTotp(req.body)) {
      return next();
    }
    const { userName, locale } = parseInput(totpSignInBodySchema, req.body);
    const { authId } = await startTotpSignIn(deps, applicationOf(res), { userName, locale });
    res.status(201).json({ authId, ...STARTED });
  };
}
