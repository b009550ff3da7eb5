import type { ApplicationStore } from '../apps/application-store.js';
import type { SigningKeys } from './keys.js';
import { signAccessToken, type IssuedToken, type IssuerSettings } from './token.js';

/** RFC 6749 §5.2 error codes the token endpoint answers with. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'temporarily_unavailable';

/** A refused token request, answered as RFC 6749 says (not in the CIAM shape). */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  /** 401 for a client that failed to authenticate, 429 for an address refused for too many failures, 400 for everything else. */
  readonly status: number;
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    /** Whole seconds to wait, sent as `Retry-After` (429 only). */
    readonly retryAfterSeconds?: number,
  ) {
    super(description);
    this.status = code === 'invalid_client' ? 401 : code === 'temporarily_unavailable' ? 429 : 400;
  }
}

/** A token request once the HTTP layer has found the client's credentials. */
export interface ClientCredentialsRequest {
  readonly grantType: string | undefined;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Space-separated; narrows the grant to part of the application's scopes. */
  readonly scope?: string | undefined;
}

/** What the grant needs. */
export interface GrantDeps {
  readonly apps: ApplicationStore;
  readonly keys: SigningKeys;
  readonly settings: IssuerSettings;
}

/**
 * The client-credentials grant: check the grant type, authenticate the client by its secret,
 * narrow the scopes, sign. Any failure throws an {@link OAuthError} and issues nothing.
 */
export async function grantClientCredentials(
  deps: GrantDeps,
  request: ClientCredentialsRequest,
): Promise<IssuedToken> {
  if (!request.grantType) {
    throw new OAuthError('invalid_request', 'Missing form parameter: grant_type');
  }
  if (request.grantType !== 'client_credentials') {
    throw new OAuthError('unsupported_grant_type', 'Unsupported grant_type');
  }
  const app = await deps.apps.verifySecret(request.clientId, request.clientSecret);
  if (!app) {
    throw new OAuthError('invalid_client', 'Invalid client or Invalid client credentials');
  }
  if (app.scopes.length === 0) {
    throw new OAuthError('unauthorized_client', 'The client is not allowed any scope');
  }
  const scopes = grantedScopes(app.scopes, request.scope);
  return signAccessToken(deps.keys, deps.settings, { clientId: app.clientId, scopes });
}

/** The requested scopes when all are allowed (the application's when none are named); OIDC's `openid` etc. are ignored. */
function grantedScopes(allowed: readonly string[], requested: string | undefined): string[] {
  const asked = (requested ?? '').split(' ').filter((s) => s.startsWith('mfa:'));
  if (asked.length === 0) {
    return [...allowed];
  }
  const refused = asked.filter((s) => !allowed.includes(s));
  if (refused.length) {
    throw new OAuthError('invalid_scope', `Invalid scopes: ${refused.join(' ').slice(0, 200)}`);
  }
  return [...new Set(asked)];
}
