import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { assertFailure } from '../support/ciam-response.js';
import { startDeviceAuthStack, type DeviceAuthStack } from '../support/deviceauth-stack.js';
import { testPhone } from '../support/otp-fixtures.js';
import { appCode, devicesPath, enrol, enrolActive, startTotp } from '../support/totp-fixtures.js';

const BASE = '/ciam-mfa/v2/deviceAuthentications';
const STEP_MS = 30_000;
const TOTP_APP = { deviceTypes: ['SMS', 'TOTP'] as ('SMS' | 'TOTP')[] };
const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('signing in with an authenticator app over HTTP', () => {
  const redis = useRedis();
  let stack: DeviceAuthStack;
  let token: string;
  let users = 0;
  /** A fresh user with an active device, and the clock moved to a step its activation did not use. */
  const activeUser = async () => {
    const userName = `user-${++users}`;
    const device = await enrolActive(stack, token, userName);
    stack.clock.advance(STEP_MS);
    return { userName, ...device };
  };
  const validate = (authId: string, otp: string, as = token) =>
    stack.call('POST', `${BASE}/${authId}`, as, { otp });

  before(async () => {
    stack = await startDeviceAuthStack(redis, { RATE_VALIDATIONS_PER_AUTH_PER_MINUTE: '1000' });
    token = await stack.client({ clientId: 'totp-bank', ...TOTP_APP });
  });

  it('enrols, activates, starts a sign-in that sends nothing, and validates the app’s code', async () => {
    const { userName, secret } = await activeUser();
    const before = (await stack.outbox(testPhone(0))).length;
    const res = await stack.call('POST', BASE, token, { userName, deviceType: 'TOTP' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.deepEqual(Object.keys(res.body).sort(), ['authId', 'message', 'status']);
    assert.equal(res.body['status'], 'SUCCESS');
    assert.equal(res.body['message'], 'Please get the OTP from registered device to authenticate');
    const authId = String(res.body['authId']);
    const ok = await validate(authId, appCode(secret, stack.clock.now()));
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body, {
      status: 'SUCCESS',
      message: 'OTP has been validated successfully',
    });
    assert.equal((await stack.outbox(testPhone(0))).length, before);
    const status = await stack.call('GET', `${BASE}/${authId}`, token);
    assert.equal(status.body['status'], 'approved');
    assert.equal(status.body['deviceType'], 'TOTP');
  });

  it('counts a wrong code and says how many attempts are left', async () => {
    const { userName, secret } = await activeUser();
    const authId = await startTotp(stack, token, userName);
    const res = await validate(authId, wrongCode(appCode(secret, stack.clock.now())));
    assert.equal(assertFailure(res, 400, 'OTP_INVALID', 10008)['attemptsRemaining'], 4);
    assertFailure(await validate(authId, '12345'), 400, 'INVALID_REQUEST', 10009);
    assert.equal((await validate(authId, appCode(secret, stack.clock.now()))).status, 200);
  });

  it('accepts the code of the step before or after now, and refuses one two steps away', async () => {
    const { userName, secret } = await activeUser();
    stack.clock.advance(STEP_MS); // the activation's step is now t-2
    const now = stack.clock.now();
    for (const offset of [-2, 2]) {
      const authId = await startTotp(stack, token, userName);
      const res = await validate(authId, appCode(secret, now + offset * STEP_MS));
      assertFailure(res, 400, 'OTP_INVALID');
    }
    for (const offset of [-1, 1]) {
      const authId = await startTotp(stack, token, userName);
      const res = await validate(authId, appCode(secret, now + offset * STEP_MS));
      assert.equal(res.status, 200, `offset ${offset}: ${JSON.stringify(res.body)}`);
    }
  });

  it('refuses a code of a step already used, as a failed attempt, with OTP_REPLAYED', async () => {
    const { userName, secret } = await activeUser();
    const code = appCode(secret, stack.clock.now());
    assert.equal((await validate(await startTotp(stack, token, userName), code)).status, 200);
    const again = await validate(await startTotp(stack, token, userName), code);
    assert.equal(assertFailure(again, 400, 'OTP_REPLAYED', 10008)['attemptsRemaining'], 4);
    const earlier = await validate(
      await startTotp(stack, token, userName),
      appCode(secret, stack.clock.now() - STEP_MS),
    );
    assertFailure(earlier, 400, 'OTP_REPLAYED');
    stack.clock.advance(STEP_MS);
    const next = await validate(
      await startTotp(stack, token, userName),
      appCode(secret, stack.clock.now()),
    );
    assert.equal(next.status, 200, 'the next step’s code is fine');
  });

  it('refuses the activation code at sign-in within the same step', async () => {
    const userName = `user-${++users}`;
    const device = await enrolActive(stack, token, userName);
    const res = await validate(
      await startTotp(stack, token, userName),
      appCode(device.secret, stack.clock.now()),
    );
    assertFailure(res, 400, 'OTP_REPLAYED');
  });

  it('lets exactly one of 50 concurrent sign-ins with the same code through; the rest are replays, then the user waits', async () => {
    const { userName, secret } = await activeUser();
    const authIds = await Promise.all(
      Array.from({ length: 50 }, () => startTotp(stack, token, userName)),
    );
    const code = appCode(secret, stack.clock.now());
    const answers = await Promise.all(authIds.map((authId) => validate(authId, code)));
    const count = (c: string) => answers.filter((r) => r.body['code'] === c).length;
    assert.equal(answers.filter((r) => r.status === 200).length, 1);
    // each replay is a failure of the user's: after maxAttempts (5) of them the user must wait
    assert.equal(count('OTP_REPLAYED'), 5);
    assert.equal(count('RATE_LIMITED'), 44);
  });

  it('lets exactly one of 50 concurrent right codes for one authentication through; the other 49 get 409', async () => {
    const { userName, secret } = await activeUser();
    const authId = await startTotp(stack, token, userName);
    const code = appCode(secret, stack.clock.now());
    const answers = await Promise.all(Array.from({ length: 50 }, () => validate(authId, code)));
    assert.equal(answers.filter((r) => r.status === 200).length, 1);
    assert.equal(answers.filter((r) => r.body['code'] === 'ALREADY_VALIDATED').length, 49);
  });

  it('locks a TOTP authentication after the maximum of wrong codes, then refuses the right one', async () => {
    const { userName, secret } = await activeUser();
    const authId = await startTotp(stack, token, userName);
    const wrong = wrongCode(appCode(secret, stack.clock.now()));
    for (let i = 0; i < 4; i++) {
      assertFailure(await validate(authId, wrong), 400, 'OTP_INVALID');
    }
    assertFailure(await validate(authId, wrong), 403, 'MAX_ATTEMPTS_REACHED', 10026);
    const right = await validate(authId, appCode(secret, stack.clock.now()));
    assertFailure(right, 403, 'MAX_ATTEMPTS_REACHED');
    const status = await stack.call('GET', `${BASE}/${authId}`, token);
    assert.equal(status.body['status'], 'max_attempts_reached');
  });

  it('shares the user’s failures with SMS: wrong SMS codes and wrong TOTP codes together make the user wait', async () => {
    const { userName, secret } = await activeUser();
    const phoneNumber = testPhone(1);
    const sms = await stack.call('POST', BASE, token, { userName, phoneNumber, deviceType: 'sms' });
    const smsCode = await stack.codeSentTo(phoneNumber);
    for (let i = 0; i < 3; i++) {
      assertFailure(
        await validate(String(sms.body['authId']), wrongCode(smsCode)),
        400,
        'OTP_INVALID',
      );
    }
    const authId = await startTotp(stack, token, userName);
    const wrong = wrongCode(appCode(secret, stack.clock.now()));
    assertFailure(await validate(authId, wrong), 400, 'OTP_INVALID');
    assertFailure(await validate(authId, wrong), 400, 'OTP_INVALID');
    const right = await validate(authId, appCode(secret, stack.clock.now()));
    assertFailure(right, 429, 'RATE_LIMITED');
    assert.equal(right.headers.get('retry-after'), '30');
    const start = await stack.call('POST', BASE, token, { userName, deviceType: 'totp' });
    assertFailure(start, 429, 'RATE_LIMITED');
    stack.clock.advance(31_000);
    assert.equal((await validate(authId, appCode(secret, stack.clock.now()))).status, 200);
  });

  it('refuses a TOTP sign-in for a user without an active device with 409 DEVICE_NOT_ACTIVE', async () => {
    const none = await stack.call('POST', BASE, token, { userName: 'nobody', deviceType: 'totp' });
    assertFailure(none, 409, 'DEVICE_NOT_ACTIVE');
    await enrol(stack, token, 'pending-only');
    const pending = await stack.call('POST', BASE, token, {
      userName: 'pending-only',
      deviceType: 'totp',
    });
    assertFailure(pending, 409, 'DEVICE_NOT_ACTIVE');
  });

  it('refuses a TOTP sign-in where the application has not enabled TOTP', async () => {
    const smsOnly = await stack.client({ clientId: 'sms-bank' });
    const res = await stack.call('POST', BASE, smsOnly, { userName: 'x', deviceType: 'totp' });
    assertFailure(res, 400, 'UNSUPPORTED_DEVICE_TYPE');
  });

  it('stops accepting a removed device’s codes at once', async () => {
    const { userName, secret, deviceId } = await activeUser();
    const authId = await startTotp(stack, token, userName);
    await stack.call('DELETE', `${devicesPath(userName)}/${deviceId}`, token);
    assertFailure(await validate(authId, appCode(secret, stack.clock.now())), 400, 'OTP_INVALID');
  });

  it('accepts a code from any of the user’s active devices', async () => {
    const { userName } = await activeUser();
    const second = await enrolActive(stack, token, userName);
    stack.clock.advance(STEP_MS);
    const authId = await startTotp(stack, token, userName);
    assert.equal((await validate(authId, appCode(second.secret, stack.clock.now()))).status, 200);
  });

  it('refuses to resend a TOTP authentication, and shows its status and cancels it like any other', async () => {
    const { userName } = await activeUser();
    const authId = await startTotp(stack, token, userName);
    const resend = await stack.call('POST', `${BASE}/${authId}/resend`, token);
    assertFailure(resend, 400, 'UNSUPPORTED_DEVICE_TYPE');
    const status = await stack.call('GET', `${BASE}/${authId}`, token);
    assert.equal(status.body['status'], 'pending');
    assert.equal(status.body['sendsRemaining'], 0);
    assert.equal(status.body['resendAvailableAt'], null);
    assert.equal((await stack.call('DELETE', `${BASE}/${authId}`, token)).status, 204);
    assertFailure(await validate(authId, '123456'), 404, 'AUTH_NOT_FOUND');
  });

  it('needs mfa:send to start a TOTP sign-in and mfa:verify to validate it', async () => {
    const { userName } = await activeUser();
    const verifier = await stack.client(
      { clientId: 'totp-verify-only', ...TOTP_APP },
      'mfa:verify',
    );
    const start = await stack.call('POST', BASE, verifier, { userName, deviceType: 'totp' });
    assertFailure(start, 403, 'FORBIDDEN');
    const sender = await stack.client({ clientId: 'totp-send-only', ...TOTP_APP }, 'mfa:send');
    const device = await enrolActive(stack, sender, userName);
    stack.clock.advance(STEP_MS);
    const authId = await startTotp(stack, sender, userName);
    assertFailure(
      await validate(authId, appCode(device.secret, stack.clock.now()), sender),
      403,
      'FORBIDDEN',
    );
  });
});
