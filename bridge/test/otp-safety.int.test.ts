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
import { KeyLayout } from '../src/otp/key-layout.js';
import { auditTrail } from './support/audit-trail.js';

const KEYS = new KeyLayout('{mfa}');

const redis = useRedis();
const app = testApplication();
const generous = testConfig({ RATE_PHONE_SENDS: '1000', RATE_COUNTRY_SENDS_PER_MINUTE: '1000' });

function setup(config = generous) {
  const { deps, clock } = testOtpDeps(redis.client(), { config });
  const sender = deps.sender as RecordingSender;
  const request = (overrides: Partial<IssueRequest> = {}): IssueRequest => ({
    userName: 'jdoe',
    phoneNumber: testPhone(0),
    deviceType: 'SMS',
    ...overrides,
  });
  const issue = async (overrides: Partial<IssueRequest> = {}) => {
    const { authId } = await issueCode(deps, app, request(overrides));
    return { authId, code: sender.lastCode() };
  };
  const failOnce = async (authId: string, code: string) => {
    const otp = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    return verifyCode(deps, app, { authId, otp }).catch((err: { code: string }) => err.code);
  };
  return { deps, clock, sender, request, issue, failOnce };
}

const retryAfter = (err: { headers: Readonly<Record<string, string>> }) =>
  Number(err.headers['Retry-After']);

beforeEach(() => redis.flush());

describe('failures per user (NIST SP 800-63B-4 3.2.2)', () => {
  it('carry over to a new code: after a lock the user waits 30 s before a new code is sent', async () => {
    const { deps, clock, issue, request, failOnce } = setup();
    const first = await issue();
    for (let i = 0; i < 5; i++) {
      await failOnce(first.authId, first.code);
    }
    const refused = await expectCiam(issueCode(deps, app, request()), 'RATE_LIMITED');
    assert.equal(retryAfter(refused), 30);
    await expectCiam(issueCode(deps, app, request({ userName: 'JDoe' })), 'RATE_LIMITED');
    assert.equal(
      (await redis.keys('*:auth:*')).length,
      1,
      'a user inside a wait gets no new record',
    );
    await issue({ userName: 'someone-else' });
    clock.advance(30_000);
    await issue();
  });

  it('grow the wait with every further failure, doubling up to one hour, never a permanent lock', async () => {
    const { deps, clock, issue, failOnce } = setup();
    const first = await issue();
    for (let i = 0; i < 5; i++) {
      await failOnce(first.authId, first.code);
    }
    const waits: number[] = [];
    let wait = 30;
    for (let round = 0; round < 9; round++) {
      clock.advance(wait * 1000);
      const next = await issue();
      assert.equal(await failOnce(next.authId, next.code), 'OTP_INVALID');
      wait = retryAfter(
        await expectCiam(
          verifyCode(deps, app, { authId: next.authId, otp: next.code }),
          'RATE_LIMITED',
        ),
      );
      waits.push(wait);
    }
    assert.deepEqual(waits, [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
  });

  it('are wiped by a success, so earlier typos do not count against the next sign-in', async () => {
    const { clock, issue, failOnce, deps } = setup();
    const a = await issue();
    for (let i = 0; i < 4; i++) {
      await failOnce(a.authId, a.code);
    }
    await verifyCode(deps, app, { authId: a.authId, otp: a.code });
    clock.advance(1000);
    const b = await issue();
    for (let i = 0; i < 4; i++) {
      assert.equal(await failOnce(b.authId, b.code), 'OTP_INVALID');
    }
  });

  it('block a resend while the user waits', async () => {
    const { deps, clock, issue, failOnce } = setup();
    const a = await issue();
    const b = await issue();
    for (let i = 0; i < 5; i++) {
      await failOnce(a.authId, a.code);
    }
    clock.advance(29_000);
    await expectCiam(resendCode(deps, app, b.authId), 'RATE_LIMITED');
  });
});

describe('when the message cannot be queued', () => {
  it('answers DELIVERY_UNAVAILABLE and leaves no authentication and no counted send behind', async () => {
    const strict = testConfig({ RATE_PHONE_SENDS: '1' });
    const { deps, sender, issue, request } = setup(strict);
    sender.failing = true;
    await expectCiam(issueCode(deps, app, request()), 'DELIVERY_UNAVAILABLE');
    assert.deepEqual(await redis.keys('mfa:*:auth:*'), []);
    sender.failing = false;
    await issue(); // the one send the phone limit allows was not spent by the failure
    const events = await auditTrail(redis.client());
    assert.ok(events.some((e) => e['type'] === 'send_failed'));
  });

  it('on a resend, spends neither a send nor the cooldown', async () => {
    const { deps, clock, sender, issue } = setup();
    const { authId } = await issue();
    clock.advance(30_000);
    sender.failing = true;
    await expectCiam(resendCode(deps, app, authId), 'DELIVERY_UNAVAILABLE');
    const status = await describeAuthentication(deps, app, authId);
    assert.equal(status.sendsRemaining, 4);
    assert.equal(status.resendAvailableAt, new Date(clock.now()).toISOString());
    sender.failing = false;
    await resendCode(deps, app, authId);
  });
});

describe('what is refused before anything is sent or counted', () => {
  it('a device type the application has not enabled, or that nothing here can send', async () => {
    const { deps, sender, request } = setup();
    const withEmail = testApplication({ deviceTypes: ['SMS', 'EMAIL', 'TOTP'] });
    for (const deviceType of ['totp', 'fax', 'WHATSAPP']) {
      await expectCiam(
        issueCode(
          deps,
          deviceType === 'WHATSAPP' ? testApplication({ deviceTypes: ['SMS'] }) : withEmail,
          request({ deviceType }),
        ),
        'UNSUPPORTED_DEVICE_TYPE',
      );
    }
    assert.equal(sender.sent.length, 0);
  });

  it('a number that is not a valid international number', async () => {
    const { deps, request } = setup();
    for (const phoneNumber of [
      '8212345212',
      '+1 555',
      '+00000000000',
      'abc',
      '+1800 555 0100'.repeat(3),
    ]) {
      const error = await expectCiam(
        issueCode(deps, app, request({ phoneNumber })),
        'INVALID_PHONE_NUMBER',
      );
      assert.equal(error.status, 400);
    }
  });

  it("a country outside the application's allow-list, with 403", async () => {
    const { deps, sender, request } = setup();
    const indiaOnly = testApplication({ allowedCountries: ['IN'] });
    await expectCiam(issueCode(deps, indiaOnly, request()), 'FORBIDDEN');
    assert.equal(sender.sent.length, 0);
    await issueCode(deps, indiaOnly, request({ phoneNumber: '+91-8212345212' }));
  });

  it('a template the application does not have', async () => {
    const { deps, sender, request } = setup();
    await expectCiam(issueCode(deps, app, request({ templateName: 'nope' })), 'TEMPLATE_NOT_FOUND');
    assert.equal(sender.sent.length, 0);
  });
});

describe('what Redis holds', () => {
  it('never has the code or the phone number in clear, only its HMAC, a sealed copy and the masked number', async () => {
    const { issue } = setup();
    const { code } = await issue({ phoneNumber: '+91-8212345212' });
    const client = redis.client();
    for (const key of await redis.keys()) {
      assert.ok(!key.includes('8212345212'), key);
      const type = await client.type(key);
      const values =
        type === 'hash'
          ? Object.values(await client.hgetall(key))
          : type === 'stream'
            ? (await client.xrange(key, '-', '+')).flatMap(([, f]) => f)
            : type === 'string'
              ? [String(await client.get(key))]
              : [];
      for (const value of values) {
        assert.ok(
          value !== code && !value.includes(`"${code}"`) && !value.includes(`is ${code}`),
          `${key} holds the code`,
        );
        assert.ok(!value.includes('8212345212'), `${key} holds the phone number`);
      }
    }
  });

  it('forgets the code once it is validated', async () => {
    const { deps, issue } = setup();
    const { authId, code } = await issue();
    await verifyCode(deps, app, { authId, otp: code });
    const fields = await redis.client().hkeys(KEYS.auth(authId));
    assert.ok(!fields.includes('codeHash') && !fields.includes('sealed'));
  });

  it('expires the authentication with a Redis TTL as well as by the clock', async () => {
    const { issue } = setup();
    const { authId } = await issue();
    const ttl = await redis.client().pttl(KEYS.auth(authId));
    assert.ok(ttl > 300_000 && ttl <= 300_000 + 15 * 60_000, String(ttl));
  });
});
