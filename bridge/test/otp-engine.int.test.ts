import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { describeAuthentication } from '../src/otp/auth-status.js';
import { cancelAuthentication } from '../src/otp/cancel.js';
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

const redis = useRedis();
const app = testApplication();
const other = testApplication({ clientId: 'app-b' });
const generous = testConfig({
  RATE_PHONE_SENDS: '1000',
  RATE_VALIDATIONS_PER_AUTH_PER_MINUTE: '1000',
});

function setup() {
  const { deps, clock } = testOtpDeps(redis.client(), { config: generous });
  const sender = deps.sender as RecordingSender;
  const request = (overrides: Partial<IssueRequest> = {}): IssueRequest => ({
    userName: 'jdoe',
    phoneNumber: testPhone(0),
    deviceType: 'sms',
    ...overrides,
  });
  const issue = async (overrides: Partial<IssueRequest> = {}) => {
    const { authId } = await issueCode(deps, app, request(overrides));
    return { authId, code: sender.lastCode() };
  };
  const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  return { deps, clock, sender, issue, wrong };
}

beforeEach(() => redis.flush());

describe('a code', () => {
  it('is sent to the normalised number and validates once with the right code', async () => {
    const { deps, sender, issue } = setup();
    const { authId, code } = await issue({ phoneNumber: '+1 (415) 555-0100' });
    assert.equal(sender.sent[0]?.to, '+14155550100');
    assert.match(
      sender.sent[0]?.text ?? '',
      new RegExp(`Acme: your verification code is ${code}\\.`),
    );
    await verifyCode(deps, app, { authId, otp: code, deviceType: 'SMS' });
    await expectCiam(verifyCode(deps, app, { authId, otp: code }), 'ALREADY_VALIDATED');
    assert.equal((await describeAuthentication(deps, app, authId)).status, 'approved');
  });

  it('counts wrong codes, says how many tries are left, and locks at the maximum even for the right code', async () => {
    const { deps, issue, wrong } = setup();
    const { authId, code } = await issue();
    for (const remaining of [4, 3, 2, 1]) {
      const error = await expectCiam(
        verifyCode(deps, app, { authId, otp: wrong(code) }),
        'OTP_INVALID',
      );
      assert.equal(error.extra['attemptsRemaining'], remaining);
    }
    await expectCiam(verifyCode(deps, app, { authId, otp: wrong(code) }), 'MAX_ATTEMPTS_REACHED');
    await expectCiam(verifyCode(deps, app, { authId, otp: code }), 'MAX_ATTEMPTS_REACHED');
    assert.equal((await describeAuthentication(deps, app, authId)).status, 'max_attempts_reached');
  });

  it('of the wrong shape is refused with errorCode 10009 and costs no attempt', async () => {
    const { deps, issue } = setup();
    const { authId } = await issue();
    for (const otp of ['12345', '1234567', '12a456', '١٢٣٤٥٦', '']) {
      const error = await expectCiam(verifyCode(deps, app, { authId, otp }), 'INVALID_REQUEST');
      assert.equal(error.extra['errorCode'], 10009);
    }
    assert.equal((await describeAuthentication(deps, app, authId)).attemptsRemaining, 5);
  });

  it('sent by SMS is not validated under another device type', async () => {
    const { deps, issue } = setup();
    const { authId, code } = await issue();
    await expectCiam(
      verifyCode(deps, app, { authId, otp: code, deviceType: 'WHATSAPP' }),
      'INVALID_REQUEST',
    );
    await verifyCode(deps, app, { authId, otp: code, deviceType: 'sms' });
  });

  it('works until the last millisecond of its lifetime and is expired from then on', async () => {
    const { deps, clock, issue } = setup();
    const early = await issue();
    const late = await issue({ userName: 'other' });
    clock.advance(300_000 - 1);
    await verifyCode(deps, app, { authId: early.authId, otp: early.code });
    clock.advance(1);
    await expectCiam(verifyCode(deps, app, { authId: late.authId, otp: late.code }), 'OTP_EXPIRED');
    assert.equal((await describeAuthentication(deps, app, late.authId)).status, 'expired');
    await expectCiam(resendCode(deps, app, late.authId), 'OTP_EXPIRED');
  });

  it('belongs to the application that asked for it: any other gets 404 for every operation', async () => {
    const { deps, issue } = setup();
    const { authId, code } = await issue();
    await expectCiam(verifyCode(deps, other, { authId, otp: code }), 'AUTH_NOT_FOUND');
    await expectCiam(describeAuthentication(deps, other, authId), 'AUTH_NOT_FOUND');
    await expectCiam(resendCode(deps, other, authId), 'AUTH_NOT_FOUND');
    await expectCiam(cancelAuthentication(deps, other, authId), 'AUTH_NOT_FOUND');
    await verifyCode(deps, app, { authId, otp: code });
  });

  it('with an unknown or malformed authId is not found', async () => {
    const { deps } = setup();
    await expectCiam(
      verifyCode(deps, app, { authId: '00000000-0000-4000-8000-000000000000', otp: '123456' }),
      'AUTH_NOT_FOUND',
    );
    await expectCiam(
      verifyCode(deps, app, { authId: 'not-a-uuid', otp: '123456' }),
      'AUTH_NOT_FOUND',
    );
  });
});

describe('concurrent validations', () => {
  it('with the right code succeed exactly once out of 50', async () => {
    const { deps, issue } = setup();
    const { authId, code } = await issue();
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => verifyCode(deps, app, { authId, otp: code })),
    );
    const codes = results.map((r) =>
      r.status === 'fulfilled' ? 'OK' : (r.reason as { code: string }).code,
    );
    assert.equal(codes.filter((c) => c === 'OK').length, 1);
    assert.equal(codes.filter((c) => c === 'ALREADY_VALIDATED').length, 49);
  });

  it('with wrong codes never evaluate more than the maximum, and the right code is refused afterwards', async () => {
    const { deps, issue, wrong } = setup();
    const { authId, code } = await issue();
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, () => verifyCode(deps, app, { authId, otp: wrong(code) })),
    );
    const codes = results.map((r) =>
      r.status === 'rejected' ? (r.reason as { code: string }).code : 'OK',
    );
    assert.equal(codes.filter((c) => c === 'OTP_INVALID').length, 4, 'the fifth wrong code locks');
    assert.equal(codes.filter((c) => c === 'MAX_ATTEMPTS_REACHED').length, 46);
    await expectCiam(verifyCode(deps, app, { authId, otp: code }), 'MAX_ATTEMPTS_REACHED');
  });
});

describe('resending', () => {
  it('sends the same code under the same authId after the cooldown, which doubles each time', async () => {
    const { deps, clock, sender, issue } = setup();
    const { authId, code } = await issue();
    const early = await expectCiam(resendCode(deps, app, authId), 'RATE_LIMITED');
    assert.equal(early.headers['Retry-After'], '30');
    clock.advance(30_000);
    const resent = await resendCode(deps, app, authId);
    assert.equal(sender.lastCode(), code);
    assert.equal(resent.sendsRemaining, 3);
    assert.equal(resent.resendAvailableAt, new Date(clock.now() + 60_000).toISOString());
    assert.equal(
      (await expectCiam(resendCode(deps, app, authId), 'RATE_LIMITED')).headers['Retry-After'],
      '60',
    );
    await verifyCode(deps, app, { authId, otp: code });
  });

  it("stops at the application's maximum number of sends", async () => {
    const { deps, clock } = setup();
    const capped = testApplication({ maxSendsPerAuth: 2, resendCooldownSeconds: 0 });
    const { authId } = await issueCode(deps, capped, {
      userName: 'jdoe',
      phoneNumber: testPhone(1),
      deviceType: 'SMS',
    });
    clock.advance(1);
    await resendCode(deps, capped, authId);
    clock.advance(1);
    const error = await expectCiam(resendCode(deps, capped, authId), 'RATE_LIMITED');
    assert.match(error.message, /No more sends/);
  });

  it('never gives back failed attempts', async () => {
    const { deps, clock, issue, wrong } = setup();
    const { authId, code } = await issue();
    await expectCiam(verifyCode(deps, app, { authId, otp: wrong(code) }), 'OTP_INVALID');
    await expectCiam(verifyCode(deps, app, { authId, otp: wrong(code) }), 'OTP_INVALID');
    clock.advance(30_000);
    await resendCode(deps, app, authId);
    const error = await expectCiam(
      verifyCode(deps, app, { authId, otp: wrong(code) }),
      'OTP_INVALID',
    );
    assert.equal(error.extra['attemptsRemaining'], 2);
  });

  it('over WhatsApp goes out on the whatsapp channel with the bare code', async () => {
    const { sender, issue } = setup();
    const { code } = await issue({ deviceType: 'WhatsApp' });
    assert.equal(sender.sent[0]?.channel, 'whatsapp');
    assert.equal(sender.sent[0]?.code, code);
  });
});

describe('cancel', () => {
  it('stops the code from working, reads as canceled, and is idempotent', async () => {
    const { deps, issue } = setup();
    const { authId, code } = await issue();
    await cancelAuthentication(deps, app, authId);
    await cancelAuthentication(deps, app, authId);
    await expectCiam(verifyCode(deps, app, { authId, otp: code }), 'AUTH_NOT_FOUND');
    await expectCiam(resendCode(deps, app, authId), 'AUTH_NOT_FOUND');
    assert.equal((await describeAuthentication(deps, app, authId)).status, 'canceled');
  });

  it('of a validated authentication is refused with 409', async () => {
    const { deps, issue } = setup();
    const { authId, code } = await issue();
    await verifyCode(deps, app, { authId, otp: code });
    await expectCiam(cancelAuthentication(deps, app, authId), 'ALREADY_VALIDATED');
  });
});

describe('the status of an authentication', () => {
  it('shows the masked phone, attempts, sends and times, never the code', async () => {
    const { deps, clock, issue } = setup();
    const { authId, code } = await issue();
    const status = await describeAuthentication(deps, app, authId);
    assert.deepEqual(status, {
      authId,
      status: 'pending',
      deviceType: 'SMS',
      phoneNumber: '+14******100',
      attemptsRemaining: 5,
      sendsRemaining: 4,
      createdAt: new Date(clock.now()).toISOString(),
      expiresAt: new Date(clock.now() + 300_000).toISOString(),
      resendAvailableAt: new Date(clock.now() + 30_000).toISOString(),
    });
    assert.ok(!JSON.stringify(status).includes(code));
  });
});
