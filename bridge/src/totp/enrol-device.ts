import { randomUUID } from 'node:crypto';
import type { Application } from '../apps/application.js';
import type { OtpDeps } from '../otp/otp-deps.js';
import { userKeyOf } from '../otp/pseudonym.js';
import { requireTotp, totpParamsOf } from './app-totp.js';
import { sealSecret } from './device-secret.js';
import { deviceView, type DeviceView } from './device-view.js';
import { qrCodeSvg, svgDataUri } from './qr-code.js';
import { newTotpSecret, otpauthUri } from './totp-code.js';
import type { TotpDevice } from './totp-device.js';
import { deviceLimitReached } from './totp-errors.js';

/** What an enrolment answers, this once: the secret, as text, as a URI and as a QR code. */
export interface Enrolled extends DeviceView {
  /** Base32, for typing into an app that cannot scan. */
  readonly secret: string;
  readonly otpauthUri: string;
  /** The QR code of {@link otpauthUri}, an SVG `data:` URI. */
  readonly qrCode: string;
}

/**
 * Enrols an authenticator app for a user of the application: a fresh secret from the CSPRNG, sealed
 * at rest, stored as a pending device if the user has room for one, and shown this once, as text,
 * otpauth URI (issuer: the application's brand) and QR code. It works once activated with a first code.
 */
export async function enrolDevice(
  deps: OtpDeps,
  app: Application,
  userName: string,
): Promise<Enrolled> {
  requireTotp(app);
  const params = totpParamsOf(app);
  const deviceId = randomUUID();
  const secret = newTotpSecret(params.algorithm);
  const nowMs = deps.now();
  const device: TotpDevice = {
    ...params,
    deviceId,
    clientId: app.clientId,
    userKey: userKeyOf(deps.serverSecret, app.clientId, userName),
    type: 'TOTP',
    status: 'ACTIVATION_REQUIRED',
    sealedSecret: sealSecret(deps.sealer, deviceId, secret),
    createdAtMs: nowMs,
    activatedAtMs: 0,
    lastUsedStep: -1,
    lastUsedAtMs: 0,
    activationAttempts: 0,
  };
  const outcome = await deps.devices.enrol(device, nowMs);
  if (outcome.kind === 'limit_reached') {
    throw deviceLimitReached(outcome.limit);
  }
  await deps.replicas.forDevice(device.userKey, deviceId, 'totp device enrolled');
  deps.logger.info('totp device enrolled', { application: app.clientId, deviceId });
  await deps.audit.record({
    type: 'device_enrolled',
    application: app.clientId,
    deviceId,
    outcome: 'success',
  });
  const uri = otpauthUri(app.brand, userName, secret, params);
  return {
    ...deviceView(device, deps.devices.limits.pendingTtlMs),
    secret,
    otpauthUri: uri,
    qrCode: svgDataUri(await qrCodeSvg(uri)),
  };
}
