import { CiamError } from '../errors.js';

/** 404 DEVICE_NOT_FOUND: unknown, expired (never activated) or removed, or another user's or application's. */
export function deviceNotFound(): CiamError {
  return new CiamError('DEVICE_NOT_FOUND', 'No device found for this deviceId');
}

/** 409 DEVICE_NOT_ACTIVE: a TOTP sign-in for a user without an activated authenticator app. */
export function noActiveDevice(): CiamError {
  return new CiamError(
    'DEVICE_NOT_ACTIVE',
    'The user has no active authenticator app; enrol one and activate it first',
  );
}

/** 409 DEVICE_ALREADY_ACTIVE: an activation of a device that was activated before. */
export function deviceAlreadyActive(): CiamError {
  return new CiamError('DEVICE_ALREADY_ACTIVE', 'The device is already active');
}

/** 409 DEVICE_LIMIT_REACHED: the user has as many devices as allowed (pending ones count until they expire). */
export function deviceLimitReached(limit: number): CiamError {
  return new CiamError(
    'DEVICE_LIMIT_REACHED',
    `The user already has ${limit} devices; remove one before enrolling another`,
    { limit },
  );
}

/** 400 OTP_REPLAYED: a code of a time step the device already used; it counts as a failed attempt. */
export function otpReplayed(attemptsRemaining: number): CiamError {
  return new CiamError(
    'OTP_REPLAYED',
    'This code was already used; wait for the next one from the authenticator app',
    { attemptsRemaining },
  );
}

/** 400 UNSUPPORTED_DEVICE_TYPE: a resend of a TOTP authentication (its codes come from the app, not from us). */
export function nothingToResend(): CiamError {
  return new CiamError(
    'UNSUPPORTED_DEVICE_TYPE',
    'TOTP codes are not sent: there is nothing to resend; the code is in the authenticator app',
    { details: [{ field: 'deviceType', message: 'TOTP codes cannot be resent' }] },
  );
}
