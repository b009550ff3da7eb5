import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { describeAuthentication } from '../src/otp/auth-status.js';
import { issueCode, type IssueRequest } from '../src/otp/issue-code.js';
import { resendCode } from '../src/otp/resend-code.js';
import { verifyCode } from '../src/otp/verify-code.js';
import { expectCiam } from './support/expect-ciam.js';
import {
  RecordingSender,
  testApplication,
  testConfig,
  testOtpDeps,
  testPhone,
} from './support/otp-fixtures.js';

const app = testApplication({ maxAttempts: 10 });
const otherApp = testApplication({ clientId: 'app-b' });

describe('rate limits', () => {
  const redis = useRedis();
  beforeEach(() => redis.flush());

  function setup(env: Record<string, string> = {}) {
    const { deps, clock } = testOtpDeps(redis.client(), { config: testConfig(env) });
    const request = (overrides: Partial<IssueRequest> = {}): IssueRequest => ({
      userName: 'jdoe',
      phoneNumber: testPhone(0),
      deviceType: 'SMS',
      ...overrides,
    });
    const send = (overrides: Partial<IssueRequest> = {}, as = app) =>
      issueCode(deps, as, request(overrides));
    return { deps, clock, send, sender: deps.sender as RecordingSender };
  }

  const retryAfter = (err: { headers: Readonly<Record<string, string>> }) =>
    Number(err.headers['Retry-After']);

  it('allow 5 sends to one number in 10 minutes by default, then 429 with Retry-After, whoever asks', async () => {
    const { send } = setup();
    for (let i = 0; i < 5; i++) {
      await send({ userName: `user-${i}` });
    }
    const error = await expectCiam(send({ userName: 'someone-else' }), 'RATE_LIMITED');
    assert.ok(retryAfter(error) > 590 && retryAfter(error) <= 600, String(retryAfter(error)));
    await expectCiam(send({}, otherApp), 'RATE_LIMITED');
    await send({ phoneNumber: testPhone(1) });
  });

  it('count resends against the number too', async () => {
    const { deps, clock, send } = setup({ RATE_PHONE_SENDS: '2' });
    const { authId } = await send();
    clock.advance(30_000);
    await resendCode(deps, app, authId);
    clock.advance(60_000);
    await expectCiam(resendCode(deps, app, authId), 'RATE_LIMITED');
    assert.equal(
      (await describeAuthentication(deps, app, authId)).sendsRemaining,
      3,
      'the refused resend was not counted',
    );
  });

  it('limit sends per application', async () => {
    const { send } = setup({ RATE_APP_SENDS_PER_MINUTE: '3' });
    for (let i = 0; i < 3; i++) {
      await send({ phoneNumber: testPhone(i) });
    }
    await expectCiam(send({ phoneNumber: testPhone(3) }), 'RATE_LIMITED');
    await send({ phoneNumber: testPhone(3) }, otherApp);
  });

  it('limit sends per country prefix within an application', async () => {
    const { send } = setup({ RATE_COUNTRY_SENDS_PER_MINUTE: '2' });
    await send({ phoneNumber: testPhone(0) });
    await send({ phoneNumber: testPhone(1) });
    await expectCiam(send({ phoneNumber: testPhone(2) }), 'RATE_LIMITED');
    await send({ phoneNumber: '+91-8212345212' });
  });

  it('limit sends per end-user IP when the caller passes it', async () => {
    const { send } = setup({ RATE_IP_SENDS_PER_HOUR: '2' });
    await send({ phoneNumber: testPhone(0), ipAddress: '203.0.113.7' });
    await send({ phoneNumber: testPhone(1), ipAddress: '203.0.113.7' });
    const error = await expectCiam(
      send({ phoneNumber: testPhone(2), ipAddress: '203.0.113.7' }),
      'RATE_LIMITED',
    );
    assert.ok(retryAfter(error) > 3500);
    await send({ phoneNumber: testPhone(2), ipAddress: '203.0.113.8' });
    await send({ phoneNumber: testPhone(3) });
  });

  it("count nothing for a refused send, so one limit never eats another's budget", async () => {
    const { send, sender } = setup({ RATE_PHONE_SENDS: '1', RATE_COUNTRY_SENDS_PER_MINUTE: '2' });
    await send({ phoneNumber: testPhone(0) });
    await expectCiam(send({ phoneNumber: testPhone(0) }), 'RATE_LIMITED');
    await expectCiam(send({ phoneNumber: testPhone(0) }), 'RATE_LIMITED');
    await send({ phoneNumber: testPhone(1) }); // the country budget still had this one
    assert.equal(sender.sent.length, 2);
  });

  it('leave no authentication behind for a send a limit refused', async () => {
    const { send } = setup({ RATE_PHONE_SENDS: '1' });
    const { authId } = await send();
    await expectCiam(send({ userName: 'someone-else' }), 'RATE_LIMITED');
    const records = await redis.keys('*:auth:*');
    assert.equal(records.length, 1, records.join(', '));
    assert.ok(records[0]!.endsWith(authId));
  });

  it('limit validations per authentication, without spending attempts', async () => {
    const { deps, send, sender } = setup({ RATE_VALIDATIONS_PER_AUTH_PER_MINUTE: '3' });
    const { authId } = await send();
    const wrong = String((Number(sender.lastCode()) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 3; i++) {
      await expectCiam(verifyCode(deps, app, { authId, otp: wrong }), 'OTP_INVALID');
    }
    await expectCiam(verifyCode(deps, app, { authId, otp: sender.lastCode() }), 'RATE_LIMITED');
    assert.equal((await describeAuthentication(deps, app, authId)).attemptsRemaining, 7);
  });

  it('answer a locked authentication with MAX_ATTEMPTS_REACHED before its validation limit, counting nothing', async () => {
    const { deps, send, sender } = setup({ RATE_VALIDATIONS_PER_AUTH_PER_MINUTE: '3' });
    const strict = testApplication({ maxAttempts: 3 });
    const { authId } = await issueCode(deps, strict, {
      userName: 'jdoe',
      phoneNumber: testPhone(0),
      deviceType: 'SMS',
    });
    const wrong = String((Number(sender.lastCode()) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 2; i++) {
      await expectCiam(verifyCode(deps, strict, { authId, otp: wrong }), 'OTP_INVALID');
    }
    await expectCiam(verifyCode(deps, strict, { authId, otp: wrong }), 'MAX_ATTEMPTS_REACHED');
    for (let i = 0; i < 3; i++) {
      await expectCiam(
        verifyCode(deps, strict, { authId, otp: sender.lastCode() }),
        'MAX_ATTEMPTS_REACHED',
      );
    }
    const other = await send({ phoneNumber: testPhone(1), userName: 'other' });
    await expectCiam(verifyCode(deps, otherApp, { authId, otp: wrong }), 'AUTH_NOT_FOUND');
    await verifyCode(deps, app, { authId: other.authId, otp: sender.lastCode() });
  });

  it('limit validations per application', async () => {
    const { deps, send, sender } = setup({ RATE_APP_VALIDATIONS_PER_MINUTE: '2' });
    const a = await send({ phoneNumber: testPhone(0) });
    const codeA = sender.lastCode();
    const b = await send({ phoneNumber: testPhone(1), userName: 'other' });
    await expectCiam(
      verifyCode(deps, app, { authId: a.authId, otp: '000000' === codeA ? '111111' : '000000' }),
      'OTP_INVALID',
    );
    await verifyCode(deps, app, { authId: a.authId, otp: codeA });
    await expectCiam(
      verifyCode(deps, app, { authId: b.authId, otp: sender.lastCode() }),
      'RATE_LIMITED',
    );
  });
});
