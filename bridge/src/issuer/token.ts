import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { SIGNING_ALG, type SigningKeys } from './keys.js';

/** `aud` of embedded tokens unless OIDC_AUDIENCE names another. */
export const DEFAULT_AUDIENCE = 'sms-mfa';

/** What every embedded token carries besides the client. */
export interface IssuerSettings {
  /** `iss`: {publicUrl}/realms/{realm}, as Keycloak does. */
  readonly issuerUrl: string;
  readonly audience: string;
  readonly ttlSeconds: number;
}

/** A signed access token and what the token endpoint reports about it. */
export interface IssuedToken {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly scope: string;
}

/**
 * Signs a client-credentials access token the way Keycloak shapes one: `azp` (and RFC 9068's
 * `client_id`) name the client, `typ: "Bearer"`, a space-separated `scope`, a fresh `jti`.
 */
export async function signAccessToken(
  keys: SigningKeys,
  settings: IssuerSettings,
  client: { clientId: string; scopes: readonly string[] },
  nowMs = Date.now(),
): Promise<IssuedToken> {
  const { kid, privateKey } = await keys.signingKey();
  const iat = Math.floor(nowMs / 1000);
  const scope = client.scopes.join(' ');
  const accessToken = await new SignJWT({
    typ: 'Bearer',
    azp: client.clientId,
    client_id: client.clientId,
    scope,
  })
    .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: 'JWT' })
    .setIssuer(settings.issuerUrl)
    .setAudience(settings.audience)
    .setSubject(client.clientId)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + settings.ttlSeconds)
    .sign(privateKey);
  return { accessToken, expiresIn: settings.ttlSeconds, scope };
}
