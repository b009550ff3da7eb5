import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from '@sms-mfa/common/logger';
import {
  grantClientCredentials,
  OAuthError,
  type ClientCredentialsRequest,
  type GrantDeps,
} from '../issuer/client-credentials.js';
import { discoveryDocument, ISSUER_PATHS } from '../issuer/jwks.js';
import type { IssuedToken } from '../issuer/token.js';
import type { ClientAuthFailures } from '../ratelimit/rate-limits.js';
import { oauthErrorHandler, sendOAuthError } from './oauth-errors.js';

/** What the token endpoints are built from. */
export interface TokenRoutesDeps extends GrantDeps {
  readonly realm: string;
  readonly logger: Logger;
  readonly failures: ClientAuthFailures;
}

const MAX_SECRET_LENGTH = 512;
const parseForm = express.urlencoded({
  extended: false,
  limit: '4kb',
  type: 'application/x-www-form-urlencoded',
  parameterLimit: 20,
});

/** The form parser; a form in a charset it cannot read is an invalid request (RFC 6749 §5.2), not a 415. */
const form: RequestHandler = (req, res, next) =>
  parseForm(req, res, (err?: unknown) =>
    next(
      (err as { type?: unknown } | undefined)?.type === 'charset.unsupported'
        ? new OAuthError('invalid_request', 'The form must be encoded in UTF-8')
        : err,
    ),
  );

/**
 * The embedded issuer at Keycloak's paths (`/realms/{realm}/protocol/openid-connect/{token,certs}`,
 * `/realms/{realm}/.well-known/openid-configuration`), answering OAuth errors as RFC 6749 does,
 * and the published CIAM API's own `POST /ciam-mfa/v2/get/token`, answering in the CIAM shape.
 */
export function tokenRoutes(deps: TokenRoutesDeps): Router {
  const router = Router();
  const realm = `/realms/${deps.realm}`;
  router.use('/realms/:realm', (req, res, next) =>
    req.params['realm'] === deps.realm
      ? next()
      : sendOAuthError(res, 404, 'not_found', 'Realm does not exist'),
  );
  router.get(
    `${realm}${ISSUER_PATHS.discovery}`,
    (_req, res) => void res.json(discoveryDocument(deps.settings.issuerUrl)),
  );
  router.get(`${realm}${ISSUER_PATHS.certs}`, async (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=60');
    res.json(await deps.keys.jwks());
  });
  router.post(`${realm}${ISSUER_PATHS.token}`, form, keycloakToken(deps));
  router.use(realm, oauthErrorHandler(deps.realm));
  router.post('/ciam-mfa/v2/get/token', form, ciamToken(deps));
  return router;
}

function keycloakToken(deps: TokenRoutesDeps): RequestHandler {
  return async (req, res) => {
    const token = await grant(deps, req);
    noStore(res).json({
      access_token: token.accessToken,
      expires_in: token.expiresIn,
      refresh_expires_in: 0,
      token_type: 'Bearer',
      'not-before-policy': 0,
      scope: token.scope,
    });
  };
}

/** Its OAuth errors become CIAM failures in the app's error handler. */
function ciamToken(deps: TokenRoutesDeps): RequestHandler {
  return async (req, res) => {
    const token = await grant(deps, req);
    noStore(res).json({
      access_token: token.accessToken,
      token_type: 'Bearer',
      expires_in: token.expiresIn,
    });
  };
}

/**
 * Grants a token unless the caller's address is refused for too many failed client
 * authentications; a failed authentication is logged (client id, never the secret) and counted.
 */
async function grant(deps: TokenRoutesDeps, req: Request): Promise<IssuedToken> {
  const address = req.ip ?? 'unknown';
  const waitMs = await deps.failures.blockedFor(address);
  if (waitMs > 0) {
    const seconds = Math.ceil(waitMs / 1000);
    throw new OAuthError(
      'temporarily_unavailable',
      `Too many failed client authentications from this address; try again in ${seconds} s`,
      seconds,
    );
  }
  try {
    return await grantClientCredentials(deps, tokenRequest(req));
  } catch (err) {
    if (err instanceof OAuthError && err.code === 'invalid_client') {
      logFailure(deps.logger, req);
      await deps.failures.recordFailure(address);
    }
    throw err;
  }
}

/** Reads the grant and the client's credentials from the form and/or HTTP Basic (one method only). */
function tokenRequest(req: Request): ClientCredentialsRequest {
  if (!req.is('application/x-www-form-urlencoded') || typeof req.body !== 'object') {
    throw new OAuthError(
      'invalid_request',
      'The request must be application/x-www-form-urlencoded',
    );
  }
  const body = req.body as Record<string, unknown>;
  const basic = basicCredentials(req.get('authorization'));
  const formId = param(body, 'client_id');
  const formSecret = param(body, 'client_secret');
  if (basic && (formSecret !== undefined || (formId !== undefined && formId !== basic.clientId))) {
    throw new OAuthError('invalid_request', 'Use one client authentication method');
  }
  const clientId = basic?.clientId ?? formId ?? '';
  const clientSecret = basic?.clientSecret ?? formSecret ?? '';
  if (!clientId || !clientSecret || clientSecret.length > MAX_SECRET_LENGTH) {
    throw new OAuthError('invalid_client', 'Invalid client or Invalid client credentials');
  }
  return {
    grantType: param(body, 'grant_type'),
    clientId,
    clientSecret,
    scope: param(body, 'scope'),
  };
}

/** A form parameter; RFC 6749 §3.2 forbids sending one twice. */
function param(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (Array.isArray(value)) {
    throw new OAuthError('invalid_request', `Parameter ${name} is repeated`);
  }
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `Basic base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 §2.3.1); undefined for other schemes. */
function basicCredentials(
  header: string | undefined,
): { clientId: string; clientSecret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) {
    return undefined;
  }
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) {
    throw new OAuthError('invalid_client', 'Invalid client or Invalid client credentials');
  }
  return {
    clientId: formDecode(decoded.slice(0, colon)),
    clientSecret: formDecode(decoded.slice(colon + 1)),
  };
}

function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    return value;
  }
}

function noStore(res: Response): Response {
  return res.setHeader('Cache-Control', 'no-store').setHeader('Pragma', 'no-cache');
}

/** Logs who was refused: the client id from the form or from HTTP Basic, never the secret. */
function logFailure(logger: Logger, req: Request): void {
  let basicId: string | undefined;
  try {
    basicId = basicCredentials(req.get('authorization'))?.clientId;
  } catch {
    basicId = undefined; // a Basic header without a colon names no client
  }
  const formId = typeof req.body?.client_id === 'string' ? req.body.client_id : undefined;
  const clientId = (basicId ?? formId)?.slice(0, 64);
  logger.warn('client authentication failed', { clientId, ip: req.ip });
}
