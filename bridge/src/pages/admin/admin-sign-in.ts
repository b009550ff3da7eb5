import type { ApplicationStore } from '../../apps/application-store.js';
import type { ClientAuthFailures } from '../../ratelimit/rate-limits.js';

/** The scope an application needs to see the admin page. */
export const ADMIN_SCOPE = 'mfa:admin';
const MAX_SECRET_LENGTH = 512;

/** What signing in to the admin page needs. */
export interface AdminSignInDeps {
  readonly apps: Pick<ApplicationStore, 'verifySecret'>;
  readonly failures: Pick<ClientAuthFailures, 'blockedFor' | 'recordFailure'>;
}

/** How a sign-in ended: in as `clientId`, refused (one answer for every reason), or the address must wait. */
export type AdminSignIn =
  | { readonly kind: 'signed_in'; readonly clientId: string }
  | { readonly kind: 'refused' }
  | { readonly kind: 'blocked'; readonly retryAfterSeconds: number };

/**
 * Checks a client id and secret as the token endpoints do (the same scrypt check, the same
 * per-address failure count, so the form is no way around their limit) and requires `mfa:admin`.
 * A wrong secret counts as a failure; a right secret without the scope does not, but is refused alike.
 */
export async function signInAdmin(
  deps: AdminSignInDeps,
  address: string,
  clientId: string,
  clientSecret: string,
): Promise<AdminSignIn> {
  const waitMs = await deps.failures.blockedFor(address);
  if (waitMs > 0) {
    return { kind: 'blocked', retryAfterSeconds: Math.ceil(waitMs / 1000) };
  }
  const app =
    clientId && clientSecret && clientSecret.length <= MAX_SECRET_LENGTH
      ? await deps.apps.verifySecret(clientId, clientSecret)
      : undefined;
  if (!app) {
    await deps.failures.recordFailure(address);
    return { kind: 'refused' };
  }
  return app.scopes.includes(ADMIN_SCOPE)
    ? { kind: 'signed_in', clientId: app.clientId }
    : { kind: 'refused' };
}
