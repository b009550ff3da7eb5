import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import type { DeviceAuthStack } from './deviceauth-stack.js';

/** What an enrolment answered, as the tests read it. */
export interface TestEnrolment {
  readonly deviceId: string;
  readonly secret: string;
  readonly otpauthUri: string;
  readonly body: Record<string, unknown>;
}

/** The path of a user's devices. */
export const devicesPath = (userName: string) =>
  `/ciam-mfa/v2/users/${encodeURIComponent(userName)}/devices`;

/**
 * The code an authenticator app shows for `secret` at `ms` (otpauth itself, not the bridge's
 * code: the test checks the bridge against the library, as a phone would).
 */
export function appCode(
  secret: string,
  ms: number,
  options: { algorithm?: string; digits?: number } = {},
): string {
  return TOTP.generate({
    secret: Secret.fromBase32(secret),
    algorithm: options.algorithm ?? 'SHA1',
    digits: options.digits ?? 6,
    period: 30,
    timestamp: ms,
  });
}

/** Enrols an authenticator app for `userName` and asserts the 201. */
export async function enrol(
  stack: DeviceAuthStack,
  token: string,
  userName: string,
): Promise<TestEnrolment> {
  const res = await stack.call('POST', devicesPath(userName), token, { deviceType: 'totp' });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return {
    deviceId: String(res.body['deviceId']),
    secret: String(res.body['secret']),
    otpauthUri: String(res.body['otpauthUri']),
    body: res.body,
  };
}

/** Enrols and activates an authenticator app with the code of the current step; returns the enrolment. */
export async function enrolActive(
  stack: DeviceAuthStack,
  token: string,
  userName: string,
): Promise<TestEnrolment> {
  const device = await enrol(stack, token, userName);
  const res = await stack.call(
    'POST',
    `${devicesPath(userName)}/${device.deviceId}/activate`,
    token,
    { otp: appCode(device.secret, stack.clock.now()) },
  );
  assert.equal(res.status, 200, JSON.stringify(res.body));
  return device;
}

/** Starts a TOTP sign-in and returns its authId (asserting the 201). */
export async function startTotp(
  stack: DeviceAuthStack,
  token: string,
  userName: string,
): Promise<string> {
  const res = await stack.call('POST', '/ciam-mfa/v2/deviceAuthentications', token, {
    userName,
    deviceType: 'totp',
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return String(res.body['authId']);
}
