import type { RequestHandler, Response } from 'express';
import { errors as joseErrors, type JWTVerifyGetKey } from 'jose';
import {
  bearerToken,
  remoteIssuerKeys,
  TokenRejectedError,
  verifiedTokenCache,
  verifyAccessToken,
  type TokenVerifierOptions,
  type VerifiedToken,
} from '@sms-mfa/common/access-token';
import type { Logger } from '@sms-mfa/common/logger';
import type { Application as MfaApplication } from '../apps/application.js';
import type { ApplicationStore } from '../apps/application-store.js';
import type { BridgeConfig } from '../config.js';
import { CiamError } from '../errors.js';
import type { SigningKeys } from '../issuer/keys.js';
import { DEFAULT_AUDIENCE } from '../issuer/token.js';

declare module 'express-serve-static-core' {
  interface Locals {
    /** The calling application, set by requireScope. */
    application?: MfaApplication;
    clientId?: string;
  }
}

/** The scopes of the bridge's API. */
export type RequiredScope = 'mfa:send' | 'mfa:verify' | 'mfa:admin';

/** Builds the middleware that admits a request for one scope. */
export type RequireScope = (scope: RequiredScope) => RequestHandler;

/** What bearer authentication needs. */
export interface AuthDeps {
  readonly verifier: TokenVerifierOptions;
  readonly apps: ApplicationStore;
  /** Named in `WWW-Authenticate`. */
  readonly realm: string;
  /** Told why keys could not be read (the caller only sees 503). */
  readonly logger?: Logger | undefined;
}

/** The calling application, which requireScope admitted; a route without requireScope is a programming error. */
export function applicationOf(res: Response): MfaApplication {
  const app = res.locals.application;
  if (!app) {
    throw new TypeError('requireScope did not set res.locals.application');
  }
  return app;
}

/** How tokens are checked: the bridge's own keys, or OIDC_ISSUER_URL's JWKS when it is set. */
export function tokenVerifier(
  issuer: BridgeConfig['issuer'],
  keys: SigningKeys | undefined,
): TokenVerifierOptions {
  if (issuer.externalUrl) {
    const url = issuer.externalUrl.replace(/\/+$/, '');
    return {
      issuer: url,
      keys: remoteIssuerKeys(url),
      audiences: issuer.audience ? [issuer.audience] : [],
      cache: verifiedTokenCache(),
    };
  }
  if (!keys) {
    throw new TypeError('tokenVerifier: the embedded issuer needs its signing keys');
  }
  return {
    issuer: issuer.url,
    keys: keys.getKey,
    audiences: [issuer.audience ?? DEFAULT_AUDIENCE],
    cache: verifiedTokenCache(),
  };
}

/**
 * Bearer authentication for the bridge's API. `requireScope(scope)` admits a request whose token
 * verifies (algorithm allow-list, signature, iss, aud, exp/nbf), whose client (`azp`) is a
 * registered application (read through the store's short cache, so a change made on another
 * instance is seen within APPLICATION_CACHE_TTL_MS), and which carries `scope` in the token and in the application's grant;
 * it then sets `res.locals.application`. Anything else: 401 (403 for a missing scope), nothing done.
 */
export function createAuth(deps: AuthDeps): { requireScope: RequireScope } {
  const requireScope: RequireScope = (scope) => async (req, res, next) => {
    try {
      const token = await verifyOrExplainOutage(
        bearerToken(req.get('authorization')),
        deps.verifier,
        deps.logger,
      );
      const application = token.clientId ? await deps.apps.cached(token.clientId) : undefined;
      if (!application) {
        throw new TokenRejectedError('invalid');
      }
      if (!token.scopes.has(scope) || !application.scopes.includes(scope)) {
        throw new TokenRejectedError('insufficient_scope');
      }
      res.locals.application = application;
      res.locals.clientId = application.clientId;
      next();
    } catch (err) {
      next(err instanceof TokenRejectedError ? rejection(err, deps.realm, scope) : err);
    }
  };
  return { requireScope };
}

/**
 * verifyAccessToken turns every failure into "invalid token"; a key store that cannot be reached
 * (Redis down, the external issuer's JWKS unreachable) must be 503, not 401, so the caller retries
 * instead of throwing its token away. The key resolver notes such failures for this one request.
 */
async function verifyOrExplainOutage(
  token: string,
  verifier: TokenVerifierOptions,
  logger: Logger | undefined,
): Promise<VerifiedToken> {
  let outage: unknown;
  const keys: JWTVerifyGetKey = async (header, input) => {
    try {
      return await verifier.keys(header, input);
    } catch (err) {
      if (!(err instanceof joseErrors.JOSEError) || err.code === 'ERR_JWKS_TIMEOUT') {
        outage = err;
      }
      throw err;
    }
  };
  try {
    return await verifyAccessToken(token, { ...verifier, keys });
  } catch (err) {
    if (outage === undefined) {
      throw err;
    }
    logger?.warn('token keys unavailable', {
      error: outage instanceof Error ? outage.message : String(outage),
    });
    throw new CiamError(
      'UNAVAILABLE',
      'the access token cannot be checked right now; try again',
      {},
      { 'Retry-After': '5' },
    );
  }
}

/** RFC 6750 §3: no error code when no token came; `invalid_token` (401) or `insufficient_scope` (403) otherwise. */
function rejection(err: TokenRejectedError, realm: string, scope: RequiredScope): CiamError {
  const challenge = `Bearer realm="${realm}"`;
  switch (err.reason) {
    case 'missing':
      return new CiamError(
        'UNAUTHORIZED',
        'An access token is required',
        {},
        { 'WWW-Authenticate': challenge },
      );
    case 'expired':
      return new CiamError(
        'UNAUTHORIZED',
        'Access token has expired',
        { errorCode: 10001 },
        {
          'WWW-Authenticate': `${challenge}, error="invalid_token", error_description="The access token expired"`,
        },
      );
    case 'insufficient_scope':
      return new CiamError(
        'FORBIDDEN',
        `The access token lacks the scope ${scope}`,
        {},
        {
          'WWW-Authenticate': `${challenge}, error="insufficient_scope", scope="${scope}"`,
        },
      );
    default:
      return new CiamError(
        'UNAUTHORIZED',
        'Access token is invalid or the client is not registered',
        {},
        {
          'WWW-Authenticate': `${challenge}, error="invalid_token", error_description="The access token is not valid"`,
        },
      );
  }
}
