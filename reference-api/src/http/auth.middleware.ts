import { timingSafeEqual, createHash } from 'node:crypto';
import type { RequestHandler } from 'express';
import {
  bearerToken,
  remoteIssuerKeys,
  TokenRejectedError,
  verifiedTokenCache,
  verifyAccessToken,
  type TokenVerifierOptions,
} from '@sms-mfa/common/access-token';
import type { ReferenceApiConfig } from '../config.js';
import { ApiError, unauthorized } from '../errors.js';

/** The scope a token needs to send messages. */
export const SEND_SCOPE = 'messages:send';

/** Who is calling: the client id, or "anonymous" on the open embedded default. */
export interface Caller {
  readonly id: string;
}

declare module 'express-serve-static-core' {
  interface Locals {
    caller?: Caller;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time comparison of two secrets of any length (hash first, so lengths never leak). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/**
 * Requires an API key (`Authorization: Bearer <key>` or `X-Api-Key`) or a JWT from OIDC_ISSUER_URL
 * with scope messages:send, when either is configured; otherwise lets every caller through
 * (config refuses to start open on a non-loopback address unless told to).
 */
export function authenticate(
  config: ReferenceApiConfig['auth'],
  verifier = tokenVerifier(config),
): RequestHandler {
  if (!config.apiKey && !verifier) {
    return (_req, res, next) => ((res.locals.caller = { id: 'anonymous' }), next());
  }
  return async (req, res, next) => {
    const apiKey =
      req.get('x-api-key') ?? /^Bearer (\S+)$/.exec(req.get('authorization') ?? '')?.[1];
    if (config.apiKey && apiKey && secretsEqual(apiKey, config.apiKey)) {
      res.locals.caller = { id: 'api-key' };
      return next();
    }
    if (!verifier) {
      return next(unauthorized(apiKey ? 'the API key is not valid' : 'authentication required'));
    }
    try {
      const token = await verifyAccessToken(
        bearerToken(req.get('authorization')),
        verifier,
        SEND_SCOPE,
      );
      res.locals.caller = { id: token.clientId ?? token.subject ?? 'token' };
      next();
    } catch (err) {
      if (!(err instanceof TokenRejectedError)) {
        return next(err);
      }
      next(
        err.reason === 'insufficient_scope'
          ? new ApiError('FORBIDDEN', err.message)
          : unauthorized(err.message),
      );
    }
  };
}

function tokenVerifier(config: ReferenceApiConfig['auth']): TokenVerifierOptions | undefined {
  if (!config.oidcIssuerUrl) {
    return undefined;
  }
  return {
    issuer: config.oidcIssuerUrl,
    keys: remoteIssuerKeys(config.oidcIssuerUrl),
    cache: verifiedTokenCache(),
    ...(config.oidcAudience ? { audiences: [config.oidcAudience] } : {}),
  };
}
