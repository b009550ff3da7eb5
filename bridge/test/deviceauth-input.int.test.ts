import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { assertFailure, detailFields } from './support/ciam-response.js';
import { startDeviceAuthStack, type DeviceAuthStack } from './support/deviceauth-stack.js';
import { testPhone } from './support/otp-fixtures.js';

const BASE = '/ciam-mfa/v2/deviceAuthentications';

describe('bad input on every field gets 400 naming the field, never a 500, and nothing is sent', () => {
  const redis = useRedis();
  let stack: DeviceAuthStack;
  let token: string;
  let authId: string;
  let otp: string;
  let n = 0;
  const valid = () => ({ userName: 'jdoe', phoneNumber: testPhone(n++), deviceType: 'SMS' });

  before(async () => {
    stack = await startDeviceAuthStack(redis, {
      RATE_PHONE_SENDS: '1000',
      RATE_VALIDATIONS_PER_AUTH_PER_MINUTE: '1000',
    });
    token = await stack.client({ clientId: 'forms' });
    const sent = await stack.call('POST', BASE, token, {
      userName: 'victim',
      phoneNumber: testPhone(99),
      deviceType: 'SMS',
    });
    authId = String(sent.body['authId']);
    otp = await stack.codeSentTo(testPhone(99));
  });

  const refused = async (body: unknown, field: string, code = 'INVALID_REQUEST') => {
    const phone =
      typeof body === 'object' && body && 'phoneNumber' in body
        ? String((body as { phoneNumber: unknown }).phoneNumber)
        : undefined;
    const res = await stack.call('POST', BASE, token, body);
    const failure = assertFailure(res, 400, code);
    if (code === 'INVALID_REQUEST') {
      assert.ok(
        detailFields(failure).includes(field),
        `details name ${field}: ${JSON.stringify(failure['details'])}`,
      );
    }
    if (phone?.startsWith('+1415555')) {
      assert.deepEqual(await stack.outbox(phone), []);
    }
  };

  const cases: [string, unknown, string?][] = [
    ['empty', ''],
    ['huge', 'x'.repeat(5000)],
    ['a control character', 'a\u0000b'],
    ['a bidi override', 'a\u202Eb'],
    ['a number', 12345],
    ['null', null],
    ['an array', ['a']],
    ['an object', { a: 1 }],
  ];
  for (const field of ['userName', 'phoneNumber', 'deviceType']) {
    for (const [what, value] of cases) {
      it(`refuses ${what} as ${field}`, () => refused({ ...valid(), [field]: value }, field));
    }
    it(`names a missing ${field}`, async () => {
      const body: Record<string, unknown> = valid();
      delete body[field];
      await refused(body, field);
    });
  }

  it('takes a unicode userName as it is', async () => {
    const res = await stack.call('POST', BASE, token, {
      ...valid(),
      userName: 'jöhn.dœ@例え.jp 🙂',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  });

  it('refuses a number written in other digits or without a country code as INVALID_PHONE_NUMBER', async () => {
    for (const phoneNumber of [
      '+９１８２１２３４５２１２',
      '8212345212',
      '+1 415 555',
      '+91-82123-45212-99999',
    ]) {
      await refused({ ...valid(), phoneNumber }, 'phoneNumber', 'INVALID_PHONE_NUMBER');
    }
  });

  it('refuses a device type in other letters as unsupported', () =>
    refused({ ...valid(), deviceType: 'ｓｍｓ' }, 'deviceType', 'UNSUPPORTED_DEVICE_TYPE'));

  it('refuses bad optional fields: templateName, locale, ipAddress', async () => {
    await refused({ ...valid(), templateName: '../etc' }, 'templateName');
    await refused({ ...valid(), templateName: 'x'.repeat(65) }, 'templateName');
    await refused({ ...valid(), locale: 'english please' }, 'locale');
    await refused({ ...valid(), locale: 7 }, 'locale');
    await refused({ ...valid(), ipAddress: '999.1.1.1' }, 'ipAddress');
    await refused({ ...valid(), ipAddress: '10.0.0.1; DROP' }, 'ipAddress');
  });

  it('accepts good optional fields', async () => {
    const res = await stack.call('POST', BASE, token, {
      ...valid(),
      locale: 'pt-BR',
      ipAddress: '2001:db8::1',
      templateName: 'default',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
  });

  it('names every unknown field, and every bad field at once', async () => {
    const res = await stack.call('POST', BASE, token, {
      ...valid(),
      userName: '',
      deviceType: 3,
      admin: true,
      otp: '1',
    });
    assert.deepEqual(detailFields(assertFailure(res, 400, 'INVALID_REQUEST')), [
      'admin',
      'deviceType',
      'otp',
      'userName',
    ]);
  });

  it('refuses a body that is not a JSON object: malformed, an array, a string, null, or a form', async () => {
    for (const raw of ['{"userName": "jdoe", ', '[1,2]', '"jdoe"', 'null']) {
      assertFailure(await stack.call('POST', BASE, token, raw), 400, 'INVALID_REQUEST');
    }
    const form = await fetch(`${stack.bridge.url}${BASE}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'userName=jdoe',
    });
    assert.equal(form.status, 400);
  });

  describe('on validation', () => {
    const check = (body: unknown, path = `${BASE}/${authId}`) =>
      stack.call('POST', path, token, body);

    it("refuses an OTP that is not a string of the code's digits with 10009, costing no attempt", async () => {
      for (const bad of [
        523471,
        '',
        ' 523471',
        '５２３４７１',
        '52347\u0000',
        'x'.repeat(64),
        'x'.repeat(5000),
        null,
        ['523471'],
      ]) {
        assertFailure(await check({ otp: bad }), 400, 'INVALID_REQUEST', 10009);
      }
      assert.equal(
        (await stack.call('GET', `${BASE}/${authId}`, token)).body['attemptsRemaining'],
        5,
      );
    });

    it('refuses a missing OTP, unknown fields and a bad deviceType', async () => {
      assert.deepEqual(
        detailFields(assertFailure(await check({}), 400, 'INVALID_REQUEST', 10009)),
        ['otp'],
      );
      assert.deepEqual(
        detailFields(assertFailure(await check({ otp, code: otp }), 400, 'INVALID_REQUEST')),
        ['code'],
      );
      assert.deepEqual(
        detailFields(assertFailure(await check({ otp, deviceType: 7 }), 400, 'INVALID_REQUEST')),
        ['deviceType'],
      );
      assertFailure(await check({ otp, deviceType: 'EMAIL' }), 400, 'INVALID_REQUEST');
    });

    it('answers 404 for an authId that is huge, unicode or not a UUID', async () => {
      for (const id of [
        'x'.repeat(2000),
        encodeURIComponent('ß∂ƒ'),
        'null',
        '%00',
        `${authId.toUpperCase()}`,
      ]) {
        assertFailure(await check({ otp }, `${BASE}/${id}`), 404, 'AUTH_NOT_FOUND');
      }
    });

    it('still validates the right code after all of that', async () => {
      assert.equal((await check({ otp, deviceType: 'sms' })).status, 200);
    });
  });

  it('refuses unknown fields on a resend', async () => {
    const res = await stack.call('POST', `${BASE}/${authId}/resend`, token, {
      phoneNumber: '+15555550100',
    });
    assert.deepEqual(detailFields(assertFailure(res, 400, 'INVALID_REQUEST')), ['phoneNumber']);
  });
});
