import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { startDeviceAuthStack, type DeviceAuthStack } from './support/deviceauth-stack.js';
import { testPhone } from './support/otp-fixtures.js';

const BASE = '/ciam-mfa/v2/deviceAuthentications';

describe('concurrent validations over HTTP', () => {
  const redis = useRedis();
  let stack: DeviceAuthStack;
  let token: string;

  before(async () => {
    stack = await startDeviceAuthStack(redis, { RATE_VALIDATIONS_PER_AUTH_PER_MINUTE: '1000' });
    token = await stack.client({ clientId: 'racer' });
  });

  const sendTo = async (phoneNumber: string) => {
    const res = await stack.call('POST', BASE, token, {
      userName: phoneNumber,
      phoneNumber,
      deviceType: 'SMS',
    });
    return { authId: String(res.body['authId']), otp: await stack.codeSentTo(phoneNumber) };
  };

  const fire = (authId: string, otp: string) =>
    Promise.all(
      Array.from({ length: 50 }, () => stack.call('POST', `${BASE}/${authId}`, token, { otp })),
    );

  it('let exactly one of 50 requests with the right code through; the other 49 get 409', async () => {
    const { authId, otp } = await sendTo(testPhone(0));
    const statuses = (await fire(authId, otp)).map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 200).length, 1);
    assert.equal(statuses.filter((s) => s === 409).length, 49);
  });

  it('never evaluate more wrong codes than the maximum, and then refuse the right code with 403', async () => {
    const { authId, otp } = await sendTo(testPhone(1));
    const wrong = String((Number(otp) + 1) % 1_000_000).padStart(6, '0');
    const codes = (await fire(authId, wrong)).map((r) => String(r.body['code']));
    assert.equal(codes.filter((c) => c === 'OTP_INVALID').length, 4);
    assert.equal(codes.filter((c) => c === 'MAX_ATTEMPTS_REACHED').length, 46);
    const after = await stack.call('POST', `${BASE}/${authId}`, token, { otp });
    assert.equal(after.status, 403);
    assert.equal(after.body['code'], 'MAX_ATTEMPTS_REACHED');
  });
});

describe('a locked authentication under the default validation limit, over HTTP', () => {
  const redis = useRedis();
  let stack: DeviceAuthStack;
  let token: string;

  before(async () => {
    stack = await startDeviceAuthStack(redis);
    token = await stack.client({ clientId: 'guesser' });
  });

  it('answers the right code after 30 parallel wrong guesses with 403 MAX_ATTEMPTS_REACHED, not 429', async () => {
    const phoneNumber = testPhone(2);
    const sent = await stack.call('POST', BASE, token, {
      userName: 'guessed',
      phoneNumber,
      deviceType: 'SMS',
    });
    const authId = String(sent.body['authId']);
    const otp = await stack.codeSentTo(phoneNumber);
    const wrong = String((Number(otp) + 1) % 1_000_000).padStart(6, '0');
    const guesses = await Promise.all(
      Array.from({ length: 30 }, () =>
        stack.call('POST', `${BASE}/${authId}`, token, { otp: wrong }),
      ),
    );
    const codes = guesses.map((r) => String(r.body['code']));
    assert.equal(codes.filter((c) => c === 'OTP_INVALID').length, 4);
    assert.ok(codes.includes('MAX_ATTEMPTS_REACHED'));
    const right = await stack.call('POST', `${BASE}/${authId}`, token, { otp });
    assert.equal(right.status, 403, JSON.stringify(right.body));
    assert.equal(right.body['code'], 'MAX_ATTEMPTS_REACHED');
    assert.equal(right.headers.get('retry-after'), null);
  });
});
