import type { Application } from '../apps/application.js';
import { CiamError } from '../errors.js';
import { DEFAULT_TOTP_SETTINGS, TOTP_PERIOD_SECONDS, type TotpParams } from './totp-settings.js';

/** What the application enrols new devices with; the defaults for an application registered before TOTP existed. */
export function totpParamsOf(app: Application): TotpParams {
  return { ...DEFAULT_TOTP_SETTINGS, ...app.totp, period: TOTP_PERIOD_SECONDS };
}

/** Refuses an application that has not enabled TOTP, as the send path refuses a device type it has not. */
export function requireTotp(app: Application): void {
  if (!app.deviceTypes.includes('TOTP')) {
    throw new CiamError('UNSUPPORTED_DEVICE_TYPE', 'TOTP is not enabled for this application', {
      details: [{ field: 'deviceType', message: 'is not enabled for this application' }],
    });
  }
}
