import { z } from 'zod';
import { parseInput } from '../apps/application-input.js';
import { CiamError } from '../errors.js';
import { issueBodySchema } from '../http/deviceauth.schemas.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Body of a TOTP sign-in, `POST /ciam-mfa/v2/deviceAuthentications`: as for SMS, with no phone number needed. */
export const totpSignInBodySchema = issueBodySchema.partial({ phoneNumber: true });

/** Body of `POST /ciam-mfa/v2/users/{userName}/devices`. */
export const enrolBodySchema = z.strictObject(
  { deviceType: issueBodySchema.shape.deviceType },
  'must be a JSON object',
);

/** True for a body that asks for a TOTP sign-in (deviceType is case-insensitive, as everywhere). */
export function asksForTotp(body: unknown): boolean {
  const deviceType = (body as { deviceType?: unknown } | null | undefined)?.deviceType;
  return typeof deviceType === 'string' && deviceType.toUpperCase() === 'TOTP';
}

/** The `{userName}` of a device path, checked as the CIAM API checks a userName in a body. */
export function userNameOf(params: Record<string, unknown>): string {
  return parseInput(z.object({ userName: issueBodySchema.shape.userName }), {
    userName: params['userName'],
  }).userName;
}

/** The `{deviceId}` of a device path; anything but a UUID names no device (404, like an unknown one). */
export function deviceIdOf(params: Record<string, unknown>): string | undefined {
  const deviceId = String(params['deviceId'] ?? '');
  return UUID.test(deviceId) ? deviceId : undefined;
}

/** Refuses an enrolment of anything but an authenticator app, in the words the send path uses. */
export function requireTotpDeviceType(deviceType: string): void {
  if (deviceType.toUpperCase() !== 'TOTP') {
    throw new CiamError('UNSUPPORTED_DEVICE_TYPE', 'Only TOTP devices are enrolled', {
      details: [{ field: 'deviceType', message: 'must be TOTP' }],
    });
  }
}
