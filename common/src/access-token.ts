import {
  createRemoteJWKSet,
  errors as joseErrors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { LRUCache } from 'lru-cache';

/** Asymmetric algorithms only: `none` and HMAC (where a public key could act as a secret) are refused. */
export const ACCEPTED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'ES256',
  'ES384',
  'EdDSA',
] as const;

/** The claims of an access token we accepted. */
export interface VerifiedToken {
  readonly subject: string | undefined;
  /** Keycloak puts the client id in `azp`; `client_id` is the RFC 9068 name. */
  readonly clientId: string | undefined;
  readonly scopes: ReadonlySet<string>;
  readonly payload: JWTPayload;
}

/** Why a bearer token was refused; the message stays generic on purpose. */
export class TokenRejectedError extends Error {
  override readonly name = 'TokenRejectedError';
  constructor(
    readonly reason: 'missing' | 'malformed' | 'expired' | 'invalid' | 'insufficient_scope',
  ) {
    super(
      reason === 'insufficient_scope'
        ? 'the access token lacks the required scope'
        : 'the access token is not valid',
    );
  }
}

/** How to check tokens from one issuer. */
export interface TokenVerifierOptions {
  readonly issuer: string;
  readonly keys: JWTVerifyGetKey;
  /** Accepted audiences; empty accepts any (Keycloak omits `aud` for client-credentials by default). */
  readonly audiences?: readonly string[];
  readonly clockToleranceSeconds?: number;
  /** Tokens this issuer's options already verified; see {@link verifiedTokenCache}. */
  readonly cache?: VerifiedTokenCache;
}

/** Payloads of verified tokens, by the token's exact text (signature included). */
export type VerifiedTokenCache = LRUCache<string, JWTPayload>;

/**
 * A bounded cache of verified tokens for one set of verifier options. A client reuses one token
 * for every call until it expires, and an RSA signature check costs more than the rest of a request
 * together; a cached token is taken as verified until its `exp` (plus the clock tolerance), so a key
 * retired before then stops being checked for it. Tokens without `exp` are never cached.
 */
export function verifiedTokenCache(max = 10_000): VerifiedTokenCache {
  return new LRUCache<string, JWTPayload>({ max });
}

/** Keys of a remote issuer (a Keycloak realm), fetched from its discovery document's `jwks_uri`. */
export function remoteIssuerKeys(issuerUrl: string): JWTVerifyGetKey {
  const base = issuerUrl.replace(/\/+$/, '');
  let jwks: JWTVerifyGetKey | undefined;
  return async (header, token) => {
    if (!jwks) {
      const res = await fetch(`${base}/.well-known/openid-configuration`, {
        signal: AbortSignal.timeout(5000),
      });
      if (!res.ok) {
        throw new Error(`issuer discovery failed with HTTP ${res.status}`);
      }
      const doc = (await res.json()) as { jwks_uri?: string };
      if (!doc.jwks_uri) {
        throw new Error('issuer discovery has no jwks_uri');
      }
      // createRemoteJWKSet caches keys and refetches when it meets an unknown `kid`.
      jwks = createRemoteJWKSet(new URL(doc.jwks_uri), { cooldownDuration: 10_000 });
    }
    return jwks(header, token);
  };
}

/** Reads the bearer token out of an Authorization header value. */
export function bearerToken(header: string | undefined): string {
  if (!header) {
    throw new TokenRejectedError('missing');
  }
  const match = /^Bearer ([A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+\.[A-Za-z0-9\-_]+)$/.exec(header.trim());
  if (!match?.[1]) {
    throw new TokenRejectedError('malformed');
  }
  return match[1];
}

/** Verifies signature, algorithm, issuer, audience, expiry and the required scope. */
export async function verifyAccessToken(
  token: string,
  options: TokenVerifierOptions,
  requiredScope?: string,
): Promise<VerifiedToken> {
  const payload = await verifiedPayload(token, options);
  const scopes = new Set(
    typeof payload['scope'] === 'string' ? payload['scope'].split(' ').filter(Boolean) : [],
  );
  if (requiredScope && !scopes.has(requiredScope)) {
    throw new TokenRejectedError('insufficient_scope');
  }
  const clientId = stringClaim(payload, 'azp') ?? stringClaim(payload, 'client_id');
  return { subject: payload.sub, clientId, scopes, payload };
}

async function verifiedPayload(token: string, options: TokenVerifierOptions): Promise<JWTPayload> {
  const toleranceSeconds = options.clockToleranceSeconds ?? 30;
  const cached = options.cache?.get(token);
  if (cached?.exp !== undefined && Date.now() / 1000 < cached.exp + toleranceSeconds) {
    return cached;
  }
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, options.keys, {
      issuer: options.issuer,
      algorithms: [...ACCEPTED_ALGORITHMS],
      clockTolerance: toleranceSeconds,
      ...(options.audiences?.length ? { audience: [...options.audiences] } : {}),
    }));
  } catch (err) {
    if (cached) {
      options.cache?.delete(token);
    }
    throw new TokenRejectedError(err instanceof joseErrors.JWTExpired ? 'expired' : 'invalid');
  }
  if (options.cache && typeof payload.exp === 'number') {
    const ttl = Math.floor((payload.exp + toleranceSeconds) * 1000 - Date.now());
    if (ttl > 0) {
      options.cache.set(token, payload, { ttl });
    }
  }
  return payload;
}

function stringClaim(payload: JWTPayload, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' ? value : undefined;
}
