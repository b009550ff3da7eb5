import type { AuthRecord } from '../otp/auth-record.js';
import type { DeviceStep, VerifyOutcome } from '../otp/code-store.js';
import { userWaitPolicy, type OtpDeps } from '../otp/otp-deps.js';
import { openSecret } from './device-secret.js';
import { matchingStep } from './totp-code.js';

/**
 * Checks a code of a TOTP authentication: finds which of the user's active devices give it within
 * one time step of now, then lets the code store's one atomic script take that step (only above the
 * last one the device took) and consume the authentication, or count the failure, as for SMS.
 */
export async function checkTotpCode(
  deps: OtpDeps,
  record: AuthRecord,
  otp: string,
): Promise<VerifyOutcome> {
  const nowMs = deps.now();
  return deps.store.verify({
    authId: record.authId,
    clientId: record.clientId,
    userKey: record.userKey,
    matched: false,
    candidateHash: '',
    nowMs,
    policy: userWaitPolicy(record.maxAttempts),
    devices: await matchingDevices(deps, record, otp, nowMs),
  });
}

async function matchingDevices(
  deps: OtpDeps,
  record: AuthRecord,
  otp: string,
  nowMs: number,
): Promise<DeviceStep[]> {
  const devices = await deps.devices.list(record.userKey, nowMs);
  return devices.flatMap((device) => {
    if (device.status !== 'ACTIVE' || device.clientId !== record.clientId) {
      return [];
    }
    const secret = openSecret(deps.sealer, device.deviceId, device.sealedSecret);
    const step = matchingStep(secret, device, otp, nowMs);
    return step === undefined ? [] : [{ deviceId: device.deviceId, step }];
  });
}
