import type { Application } from '../apps/application.js';
import type { AuthRecord } from './auth-record.js';
import type { OtpDeps } from './otp-deps.js';
import { authNotFound } from './otp-errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The application's own authentication, or 404: another application's authId is as unknown as a made-up one. */
export async function findOwnRecord(
  deps: OtpDeps,
  app: Application,
  authId: string,
): Promise<AuthRecord> {
  return ownRecord(app, await readRecord(deps, authId));
}

/** The authentication stored under `authId`, whichever application it belongs to; undefined for a malformed authId. */
export async function readRecord(deps: OtpDeps, authId: string): Promise<AuthRecord | undefined> {
  return UUID.test(authId) ? deps.store.get(authId) : undefined;
}

/** `record` when it is the application's own, else 404 (see findOwnRecord). */
export function ownRecord(app: Application, record: AuthRecord | undefined): AuthRecord {
  if (!record || record.clientId !== app.clientId) {
    throw authNotFound();
  }
  return record;
}
