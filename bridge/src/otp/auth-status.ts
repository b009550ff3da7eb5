import type { Application, DeviceType } from '../apps/application.js';
import { publicStatus, type AuthRecord, type PublicStatus } from './auth-record.js';
import { findOwnRecord } from './find-record.js';
import type { OtpDeps } from './otp-deps.js';

/** What `GET .../deviceAuthentications/{authId}` shows: never the code, only the masked phone or address. */
export interface AuthStatusView {
  readonly authId: string;
  readonly status: PublicStatus;
  readonly deviceType: DeviceType;
  /** The masked number; absent for EMAIL. */
  readonly phoneNumber?: string;
  /** The masked address (`j•••@example.com`), for EMAIL only. */
  readonly email?: string;
  readonly attemptsRemaining: number;
  readonly sendsRemaining: number;
  readonly createdAt: string;
  readonly expiresAt: string;
  /** When a resend may be asked for; null once no resend is possible. */
  readonly resendAvailableAt: string | null;
}

/** The state of the caller's own authentication at the service's current time. */
export async function describeAuthentication(
  deps: OtpDeps,
  app: Application,
  authId: string,
): Promise<AuthStatusView> {
  return view(await findOwnRecord(deps, app, authId), deps.now());
}

function view(record: AuthRecord, nowMs: number): AuthStatusView {
  const status = publicStatus(record, nowMs);
  const sendsRemaining = status === 'pending' ? Math.max(0, record.maxSends - record.sends) : 0;
  return {
    authId: record.authId,
    status,
    deviceType: record.deviceType,
    ...(record.deviceType === 'EMAIL'
      ? { email: record.phoneMasked }
      : { phoneNumber: record.phoneMasked }),
    attemptsRemaining: status === 'pending' ? Math.max(0, record.maxAttempts - record.attempts) : 0,
    sendsRemaining,
    createdAt: new Date(record.createdAtMs).toISOString(),
    expiresAt: new Date(record.expiresAtMs).toISOString(),
    resendAvailableAt:
      sendsRemaining > 0 ? new Date(Math.max(record.nextResendAtMs, nowMs)).toISOString() : null,
  };
}
