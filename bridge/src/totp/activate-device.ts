import type { Application } from '../apps/application.js';
import { CiamError } from '../errors.js';
import { hasCodeShape } from '../otp/code.js';
import type { OtpDeps } from '../otp/otp-deps.js';
import { userKeyOf } from '../otp/pseudonym.js';
import { requireTotp } from './app-totp.js';
import { openSecret } from './device-secret.js';
import { deviceView, type DeviceView } from './device-view.js';
import type { ActivateOutcome } from './device-store.js';
import { matchingStep } from './totp-code.js';
import type { TotpDevice } from './totp-device.js';
import { deviceAlreadyActive, deviceNotFound } from './totp-errors.js';

/** What an activation names: the user, the device, and the first code the app shows. */
export interface ActivateRequest {
  readonly userName: string;
  readonly deviceId: string;
  readonly otp: string;
}

/**
 * Activates a pending device with a first code from the app, which proves the app holds the secret:
 * a code of the wrong shape is refused without counting; a wrong one counts, and too many end the
 * enrolment. The activation code's time step counts as used, so it cannot also sign in.
 */
export async function activateDevice(
  deps: OtpDeps,
  app: Application,
  request: ActivateRequest,
): Promise<DeviceView> {
  requireTotp(app);
  const userKey = userKeyOf(deps.serverSecret, app.clientId, request.userName);
  const device = await deps.devices.get(userKey, request.deviceId);
  if (!device || device.clientId !== app.clientId) {
    throw deviceNotFound();
  }
  refuseWrongShape(device, request.otp);
  const nowMs = deps.now();
  const secret = openSecret(deps.sealer, device.deviceId, device.sealedSecret);
  const step = matchingStep(secret, device, request.otp, nowMs);
  settled(await deps.devices.activate(device, step, nowMs));
  await deps.replicas.forDevice(userKey, device.deviceId, 'totp device activated');
  deps.logger.info('totp device activated', {
    application: app.clientId,
    deviceId: device.deviceId,
  });
  await deps.audit.record({
    type: 'device_activated',
    application: app.clientId,
    deviceId: device.deviceId,
    outcome: 'success',
  });
  return deviceView({ ...device, status: 'ACTIVE', activatedAtMs: nowMs }, 0);
}

function refuseWrongShape(device: TotpDevice, otp: string): void {
  if (!hasCodeShape(otp, device.digits)) {
    throw new CiamError('INVALID_REQUEST', `The OTP must be ${device.digits} digits`, {
      errorCode: 10009,
      details: [{ field: 'otp', message: `must be ${device.digits} digits` }],
    });
  }
}

function settled(outcome: ActivateOutcome): void {
  switch (outcome.kind) {
    case 'activated':
      return;
    case 'wrong_code':
      throw new CiamError('OTP_INVALID', 'The OTP is incorrect', {
        attemptsRemaining: outcome.attemptsRemaining,
      });
    case 'dropped':
      throw new CiamError(
        'MAX_ATTEMPTS_REACHED',
        'Too many incorrect codes: the enrolment was removed; enrol the device again',
        { attemptsRemaining: 0 },
      );
    case 'already_active':
      throw deviceAlreadyActive();
    case 'not_found':
      throw deviceNotFound();
  }
}
