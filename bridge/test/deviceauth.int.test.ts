import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { assertFailure } from './support/ciam-response.js';
import { startDeviceAuthStack, type DeviceAuthStack } from './support/deviceauth-stack.js';
import { testPhone } from './support/otp-fixtures.js';

describe('the CIAM deviceAuthentications API', () => {
  const redis = useRedis();
  const BASE = '/ciam-mfa/v2/deviceAuthentications';
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  let stack: DeviceAuthStack;
  let token: string;
  let phoneIndex = 0;

  /** A fresh number for each test, so per-phone limits and outbox reads never mix tests. */
  const nextPhone = () => testPhone(phoneIndex++);

  async function sendCode(
    phoneNumber = nextPhone(),
    extra: Record<string, unknown> = {},
    as = token,
  ) {
    const res = await stack.call('POST', BASE, as, {
      userName: `user-${phoneNumber}`,
      phoneNumber,
      deviceType: 'sms',
      ...extra,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { authId: String(res.body['authId']), phoneNumber };
  }

  const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  before(async () => {
    stack = await startDeviceAuthStack(redis);
    token = await stack.client({
      clientId: 'shop',
      brand: 'Shop',
      deviceTypes: ['SMS', 'WHATSAPP'],
    });
  });

  describe('the seed flow', () => {
    it('gets a token, sends a code to +91-8212345212 and validates it, with the published answers verbatim', async () => {
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'seed',
        client_secret: 'secret-seed-0123456789',
      });
      await stack.bridge.apps.create(
        { clientId: 'seed', name: 'Seed', scopes: ['mfa:send', 'mfa:verify'] },
        'secret-seed-0123456789',
      );
      const tokenRes = await fetch(`${stack.bridge.url}/ciam-mfa/v2/get/token`, {
        method: 'POST',
        body: form,
      });
      const { access_token: seedToken } = (await tokenRes.json()) as { access_token: string };

      const sent = await stack.call('POST', BASE, seedToken, {
        userName: 'jdoe',
        phoneNumber: '+91-8212345212',
        deviceType: 'sms',
      });
      assert.equal(sent.status, 201);
      assert.deepEqual(Object.keys(sent.body).sort(), ['authId', 'message', 'status']);
      assert.match(String(sent.body['authId']), UUID);
      assert.equal(sent.body['status'], 'SUCCESS');
      assert.equal(sent.body['message'], 'OTP has been sent to the device ');

      const otp = await stack.codeSentTo('+918212345212');
      const validated = await stack.call(
        'POST',
        `${BASE}/${String(sent.body['authId'])}`,
        seedToken,
        { otp, deviceType: 'SMS' },
      );
      assert.equal(validated.status, 200);
      assert.deepEqual(validated.body, {
        status: 'SUCCESS',
        message: 'OTP has been validated successfully',
      });
    });

    it("sends the application's brand and the lifetime in the text, and the number in E.164", async () => {
      await sendCode('+1 (415) 555-0199');
      await stack.codeSentTo('+14155550199');
      const [message] = await stack.outbox('+14155550199');
      assert.equal(message?.to, '+14155550199');
      assert.match(
        message?.text ?? '',
        /^Shop: your verification code is \d{6}\. It expires in 5 minutes\.$/,
      );
    });

    it('accepts a validation without deviceType', async () => {
      const { authId, phoneNumber } = await sendCode();
      const otp = await stack.codeSentTo(phoneNumber);
      assert.equal((await stack.call('POST', `${BASE}/${authId}`, token, { otp })).status, 200);
    });
  });

  describe('the error catalogue', () => {
    it('400 OTP_INVALID (10008) with attemptsRemaining, then 403 MAX_ATTEMPTS_REACHED (10026) even for the right code', async () => {
      const { authId, phoneNumber } = await sendCode();
      const otp = await stack.codeSentTo(phoneNumber);
      for (const remaining of [4, 3, 2, 1]) {
        const body = assertFailure(
          await stack.call('POST', `${BASE}/${authId}`, token, { otp: wrongCode(otp) }),
          400,
          'OTP_INVALID',
          10008,
        );
        assert.equal(body['attemptsRemaining'], remaining);
      }
      assertFailure(
        await stack.call('POST', `${BASE}/${authId}`, token, { otp: wrongCode(otp) }),
        403,
        'MAX_ATTEMPTS_REACHED',
        10026,
      );
      assertFailure(
        await stack.call('POST', `${BASE}/${authId}`, token, { otp }),
        403,
        'MAX_ATTEMPTS_REACHED',
        10026,
      );
    });

    it('400 INVALID_REQUEST with errorCode 10009 for a code of the wrong shape, which costs no attempt', async () => {
      const { authId, phoneNumber } = await sendCode();
      const otp = await stack.codeSentTo(phoneNumber);
      for (const bad of ['12345', 'abcdef', '1234567', 523471]) {
        assertFailure(
          await stack.call('POST', `${BASE}/${authId}`, token, { otp: bad }),
          400,
          'INVALID_REQUEST',
          10009,
        );
      }
      const status = await stack.call('GET', `${BASE}/${authId}`, token);
      assert.equal(status.body['attemptsRemaining'], 5);
      assert.equal((await stack.call('POST', `${BASE}/${authId}`, token, { otp })).status, 200);
    });

    it('409 ALREADY_VALIDATED for a code used before', async () => {
      const { authId, phoneNumber } = await sendCode();
      const otp = await stack.codeSentTo(phoneNumber);
      await stack.call('POST', `${BASE}/${authId}`, token, { otp });
      assertFailure(
        await stack.call('POST', `${BASE}/${authId}`, token, { otp }),
        409,
        'ALREADY_VALIDATED',
      );
    });

    it("410 OTP_EXPIRED once the lifetime is over by the service's clock", async () => {
      const { authId, phoneNumber } = await sendCode();
      const otp = await stack.codeSentTo(phoneNumber);
      stack.clock.advance(300_000);
      assertFailure(
        await stack.call('POST', `${BASE}/${authId}`, token, { otp }),
        410,
        'OTP_EXPIRED',
      );
      assert.equal((await stack.call('GET', `${BASE}/${authId}`, token)).body['status'], 'expired');
    });

    it("404 AUTH_NOT_FOUND (10007) for an unknown authId and for another application's", async () => {
      const { authId, phoneNumber } = await sendCode();
      const otp = await stack.codeSentTo(phoneNumber);
      const intruder = await stack.client({ clientId: 'intruder' });
      assertFailure(
        await stack.call('POST', `${BASE}/${authId}`, intruder, { otp }),
        404,
        'AUTH_NOT_FOUND',
        10007,
      );
      assertFailure(
        await stack.call('GET', `${BASE}/${authId}`, intruder),
        404,
        'AUTH_NOT_FOUND',
        10007,
      );
      assertFailure(
        await stack.call('DELETE', `${BASE}/${authId}`, intruder),
        404,
        'AUTH_NOT_FOUND',
        10007,
      );
      assertFailure(
        await stack.call('POST', `${BASE}/${authId}/resend`, intruder, {}),
        404,
        'AUTH_NOT_FOUND',
        10007,
      );
      assertFailure(
        await stack.call('POST', `${BASE}/00000000-0000-4000-8000-000000000000`, token, { otp }),
        404,
        'AUTH_NOT_FOUND',
        10007,
      );
      assert.equal(
        (await stack.call('POST', `${BASE}/${authId}`, token, { otp })).status,
        200,
        'the intruder spent no attempt',
      );
    });

    it('400 INVALID_PHONE_NUMBER (100001), 400 UNSUPPORTED_DEVICE_TYPE and 400 TEMPLATE_NOT_FOUND (10011)', async () => {
      const base = { userName: 'jdoe', phoneNumber: nextPhone(), deviceType: 'SMS' };
      assertFailure(
        await stack.call('POST', BASE, token, { ...base, phoneNumber: '8212345212' }),
        400,
        'INVALID_PHONE_NUMBER',
        100001,
      );
      assertFailure(
        await stack.call('POST', BASE, token, { ...base, deviceType: 'EMAIL' }),
        400,
        'UNSUPPORTED_DEVICE_TYPE',
      );
      assertFailure(
        await stack.call('POST', BASE, token, { ...base, deviceType: 'pigeon' }),
        400,
        'UNSUPPORTED_DEVICE_TYPE',
      );
      assertFailure(
        await stack.call('POST', BASE, token, { ...base, templateName: 'missing' }),
        400,
        'TEMPLATE_NOT_FOUND',
        10011,
      );
      assert.deepEqual(await stack.outbox(base.phoneNumber), []);
    });

    it('401 UNAUTHORIZED with WWW-Authenticate and 403 FORBIDDEN for a missing scope, before anything is sent', async () => {
      const phoneNumber = nextPhone();
      const body = { userName: 'jdoe', phoneNumber, deviceType: 'SMS' };
      const anonymous = await stack.call('POST', BASE, undefined, body);
      assertFailure(anonymous, 401, 'UNAUTHORIZED');
      assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer realm=/);
      const verifyOnly = await stack.client({ clientId: 'checker', scopes: ['mfa:verify'] });
      assertFailure(await stack.call('POST', BASE, verifyOnly, body), 403, 'FORBIDDEN');
      assert.deepEqual(await stack.outbox(phoneNumber), []);
    });

    it("403 FORBIDDEN for a country outside the application's allow-list, before anything is sent", async () => {
      const indiaOnly = await stack.client({ clientId: 'india-only', allowedCountries: ['IN'] });
      const phoneNumber = nextPhone();
      assertFailure(
        await stack.call('POST', BASE, indiaOnly, {
          userName: 'jdoe',
          phoneNumber,
          deviceType: 'SMS',
        }),
        403,
        'FORBIDDEN',
      );
      assert.deepEqual(await stack.outbox(phoneNumber), []);
    });

    it('413 PAYLOAD_TOO_LARGE for a body over the limit', async () => {
      const res = await stack.call('POST', BASE, token, {
        userName: 'x'.repeat(20_000),
        phoneNumber: nextPhone(),
        deviceType: 'SMS',
      });
      assertFailure(res, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('429 RATE_LIMITED with Retry-After for a resend inside the cooldown, and the same code after it', async () => {
      const { authId, phoneNumber } = await sendCode();
      const otp = await stack.codeSentTo(phoneNumber);
      const early = await stack.call('POST', `${BASE}/${authId}/resend`, token, {});
      assertFailure(early, 429, 'RATE_LIMITED');
      assert.equal(early.headers.get('retry-after'), '30');
      stack.clock.advance(30_000);
      const resent = await stack.call('POST', `${BASE}/${authId}/resend`, token);
      assert.equal(resent.status, 200, JSON.stringify(resent.body));
      assert.equal(resent.body['authId'], authId);
      assert.equal(resent.body['message'], 'OTP has been sent to the device ');
      assert.equal(resent.body['sendsRemaining'], 3);
      assert.equal(await stack.codeSentTo(phoneNumber, 1), otp);
      assert.equal((await stack.outbox(phoneNumber)).length, 2);
    });
  });

  describe('beyond the contract', () => {
    it('GET shows the status with the masked number and never the code, to a send or a verify token', async () => {
      const { authId, phoneNumber } = await sendCode();
      const otp = await stack.codeSentTo(phoneNumber);
      const verifyOnly = await stack.client({ clientId: 'verifier', scopes: ['mfa:verify'] });
      const shown = await stack.call('GET', `${BASE}/${authId}`, token);
      assert.equal(shown.status, 200);
      assert.equal(shown.body['status'], 'pending');
      assert.match(String(shown.body['phoneNumber']), /^\+1\d\*+\d{3}$/);
      assert.ok(!JSON.stringify(shown.body).includes(otp));
      assert.equal(shown.headers.get('cache-control'), 'no-store');
      assertFailure(
        await stack.call('GET', `${BASE}/${authId}`, verifyOnly),
        404,
        'AUTH_NOT_FOUND',
      );
      await stack.call('POST', `${BASE}/${authId}`, token, { otp });
      assert.equal(
        (await stack.call('GET', `${BASE}/${authId}`, token)).body['status'],
        'approved',
      );
    });

    it('GET refuses a token with neither mfa:send nor mfa:verify', async () => {
      const { authId } = await sendCode();
      const admin = await stack.client({ clientId: 'auditor', scopes: ['mfa:admin'] });
      assertFailure(await stack.call('GET', `${BASE}/${authId}`, admin), 403, 'FORBIDDEN');
    });

    it('DELETE cancels: 204, then the code answers 404 and the status reads canceled', async () => {
      const { authId, phoneNumber } = await sendCode();
      const otp = await stack.codeSentTo(phoneNumber);
      const canceled = await stack.call('DELETE', `${BASE}/${authId}`, token);
      assert.equal(canceled.status, 204);
      assertFailure(
        await stack.call('POST', `${BASE}/${authId}`, token, { otp }),
        404,
        'AUTH_NOT_FOUND',
        10007,
      );
      assert.equal(
        (await stack.call('GET', `${BASE}/${authId}`, token)).body['status'],
        'canceled',
      );
    });

    it('sends WhatsApp codes on the whatsapp channel', async () => {
      const { phoneNumber } = await sendCode(nextPhone(), { deviceType: 'whatsapp' });
      await stack.codeSentTo(phoneNumber);
      assert.equal((await stack.outbox(phoneNumber))[0]?.channel, 'whatsapp');
    });

    it('counts codes issued, validated and failed per application and country on /metrics', async () => {
      const { authId, phoneNumber } = await sendCode(); // +1 415: US
      const otp = await stack.codeSentTo(phoneNumber);
      await stack.call('POST', `${BASE}/${authId}`, token, { otp: wrongCode(otp) });
      await stack.call('POST', `${BASE}/${authId}`, token, { otp });
      const metrics = await (await fetch(`${stack.bridge.url}/metrics`)).text();
      for (const name of ['issued', 'validated', 'failed']) {
        assert.match(
          metrics,
          new RegExp(`mfa_codes_${name}_total\\{application="shop",country="US"[,}].* [1-9]`),
        );
      }
      const ratio = Number(
        /mfa_conversion_ratio\{application="shop"\} ([\d.]+)/.exec(metrics)?.[1],
      );
      assert.ok(ratio > 0 && ratio <= 1, `conversion ratio ${ratio} is validated / issued`);
    });
  });
});
