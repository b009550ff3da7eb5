import type { Application } from '../apps/application.js';
import { findOwnRecord } from './find-record.js';
import type { OtpDeps } from './otp-deps.js';
import { refusalError } from './otp-errors.js';

/**
 * Cancels an authentication: its code stops working at once and is forgotten; validating it
 * afterwards answers 404 AUTH_NOT_FOUND (errorCode 10007, "unknown or finished authId") and its
 * status reads `canceled`. Idempotent; an already validated authentication answers 409.
 */
export async function cancelAuthentication(
  deps: OtpDeps,
  app: Application,
  authId: string,
): Promise<void> {
  const record = await findOwnRecord(deps, app, authId);
  const { kind } = await deps.store.cancel(authId, app.clientId, deps.now());
  if (kind === 'not_found' || kind === 'already_validated') {
    throw refusalError({ kind });
  }
  if (kind === 'canceled') {
    await deps.audit.record({
      type: 'canceled',
      application: app.clientId,
      authId,
      phone: record.phoneMasked,
      outcome: 'success',
      test: record.test,
    });
  }
}
