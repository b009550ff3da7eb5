import type { Application } from '../apps/application.js';
import type { AuthRecord } from '../otp/auth-record.js';
import { newAuthId } from '../otp/key-layout.js';
import type { OtpDeps } from '../otp/otp-deps.js';
import { userMustWait } from '../otp/otp-errors.js';
import { userKeyOf } from '../otp/pseudonym.js';
import { requireTotp } from './app-totp.js';
import type { TotpDevice } from './totp-device.js';
import { noActiveDevice } from './totp-errors.js';

/** A TOTP sign-in, as the CIAM API takes it (already checked for shape). */
export interface TotpSignIn {
  readonly userName: string;
  readonly locale?: string | undefined;
}

/**
 * Starts a sign-in with the user's authenticator app: nothing is sent (the app makes the codes), so
 * this only refuses a user inside a wait or without an active device, and stores an authentication
 * like an SMS one, with the same attempt limit and lifetime, that the user's devices can answer.
 */
export async function startTotpSignIn(
  deps: OtpDeps,
  app: Application,
  request: TotpSignIn,
): Promise<{ authId: string }> {
  requireTotp(app);
  const userKey = userKeyOf(deps.serverSecret, app.clientId, request.userName);
  const nowMs = deps.now();
  const waitMs = await deps.store.userWaitMs(userKey, nowMs);
  if (waitMs > 0) {
    throw userMustWait(waitMs);
  }
  const active = (await deps.devices.list(userKey, nowMs)).filter((d) => d.status === 'ACTIVE');
  const newest = active.at(-1);
  if (!newest) {
    throw noActiveDevice();
  }
  const record = newRecord(app, userKey, newest, request.locale, nowMs);
  await deps.store.create(record, nowMs);
  await deps.audit.record({
    type: 'issued',
    application: app.clientId,
    authId: record.authId,
    outcome: 'success',
    reason: 'totp',
  });
  await deps.replicas.forAuth(record.authId, 'totp sign-in started');
  deps.metrics.count('issued', app.clientId);
  return { authId: record.authId };
}

function newRecord(
  app: Application,
  userKey: string,
  device: TotpDevice,
  locale: string | undefined,
  nowMs: number,
): AuthRecord {
  return {
    authId: newAuthId(userKey),
    clientId: app.clientId,
    userKey,
    deviceType: 'TOTP',
    phoneMasked: '',
    callingCode: '',
    templateName: undefined,
    locale,
    // the code form asks for as many digits as the newest device shows
    codeLength: device.digits,
    maxAttempts: app.maxAttempts,
    // nothing is ever sent, so nothing can be sent again
    maxSends: 0,
    cooldownSeconds: 0,
    status: 'pending',
    attempts: 0,
    sends: 0,
    createdAtMs: nowMs,
    expiresAtMs: nowMs + app.otpTtlSeconds * 1000,
    nextResendAtMs: 0,
    codeHash: undefined,
    sealed: undefined,
  };
}
