import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { assertFailure, detailFields } from '../support/ciam-response.js';
import { redisText } from '../support/redis-text.js';
import { startDeviceAuthStack, type DeviceAuthStack } from '../support/deviceauth-stack.js';
import { appCode, devicesPath, enrol, enrolActive } from '../support/totp-fixtures.js';

const TOTP_APP = { deviceTypes: ['SMS', 'TOTP'] as ('SMS' | 'TOTP')[] };

describe('authenticator apps: enrolment, activation, listing and removal over HTTP', () => {
  const redis = useRedis();
  let stack: DeviceAuthStack;
  let token: string;

  before(async () => {
    stack = await startDeviceAuthStack(redis);
    token = await stack.client({ clientId: 'totp-shop', brand: 'Acme Shop', ...TOTP_APP });
  });

  it('enrols a device as ACTIVATION_REQUIRED with its secret, otpauth URI and SVG QR code, branded', async () => {
    const res = await stack.call('POST', devicesPath('jdoe'), token, { deviceType: 'TOTP' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.body['status'], 'ACTIVATION_REQUIRED');
    assert.equal(res.body['deviceType'], 'TOTP');
    assert.match(String(res.body['deviceId']), /^[0-9a-f-]{36}$/);
    assert.match(String(res.body['secret']), /^[A-Z2-7]{32}$/);
    const uri = new URL(String(res.body['otpauthUri']));
    assert.equal(decodeURIComponent(uri.pathname), '/Acme Shop:jdoe');
    assert.equal(uri.searchParams.get('issuer'), 'Acme Shop');
    assert.equal(uri.searchParams.get('secret'), res.body['secret']);
    const qr = String(res.body['qrCode']);
    assert.match(qr, /^data:image\/svg\+xml;base64,/);
    assert.match(Buffer.from(qr.split(',')[1] ?? '', 'base64').toString(), /^<svg /);
    assert.deepEqual(
      [res.body['algorithm'], res.body['digits'], res.body['period']],
      ['SHA1', 6, 30],
    );
  });

  it('activates a device with a first right code, after counting a wrong one', async () => {
    const device = await enrol(stack, token, 'ana');
    const activate = `${devicesPath('ana')}/${device.deviceId}/activate`;
    const code = appCode(device.secret, stack.clock.now());
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const refused = await stack.call('POST', activate, token, { otp: wrong });
    assert.equal(assertFailure(refused, 400, 'OTP_INVALID', 10008)['attemptsRemaining'], 4);
    assertFailure(
      await stack.call('POST', activate, token, { otp: '12' }),
      400,
      'INVALID_REQUEST',
      10009,
    );
    const res = await stack.call('POST', activate, token, { otp: code });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body['status'], 'ACTIVE');
    assert.equal(res.body['secret'], undefined);
    assertFailure(
      await stack.call('POST', activate, token, { otp: code }),
      409,
      'DEVICE_ALREADY_ACTIVE',
    );
  });

  it('drops an enrolment after five wrong activation codes', async () => {
    const device = await enrol(stack, token, 'bruno');
    const activate = `${devicesPath('bruno')}/${device.deviceId}/activate`;
    const code = appCode(device.secret, stack.clock.now());
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 0; i < 4; i++) {
      assertFailure(await stack.call('POST', activate, token, { otp: wrong }), 400, 'OTP_INVALID');
    }
    assertFailure(
      await stack.call('POST', activate, token, { otp: wrong }),
      403,
      'MAX_ATTEMPTS_REACHED',
    );
    assertFailure(
      await stack.call('POST', activate, token, { otp: code }),
      404,
      'DEVICE_NOT_FOUND',
    );
  });

  it('lists a user’s devices, pending and active, and never shows a secret after enrolment', async () => {
    const active = await enrolActive(stack, token, 'carla');
    stack.clock.advance(1000);
    const pending = await enrol(stack, token, 'carla');
    const res = await stack.call('GET', devicesPath('carla'), token);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const devices = res.body['devices'] as Record<string, unknown>[];
    assert.deepEqual(
      devices.map((d) => [d['deviceId'], d['status']]),
      [
        [active.deviceId, 'ACTIVE'],
        [pending.deviceId, 'ACTIVATION_REQUIRED'],
      ],
    );
    const text = JSON.stringify(res.body);
    for (const secret of [active.secret, pending.secret]) {
      assert.ok(!text.includes(secret), 'no secret in the listing');
    }
    assert.doesNotMatch(text, /secret|otpauth|qrCode/i);
    assert.equal(devices[0]?.['expiresAt'], null);
    assert.ok(devices[0]?.['activatedAt']);
    assert.equal(typeof devices[1]?.['expiresAt'], 'string');
  });

  it('removes a device with DELETE, and says 404 for one that is gone', async () => {
    const device = await enrolActive(stack, token, 'dora');
    const path = `${devicesPath('dora')}/${device.deviceId}`;
    const res = await stack.call('DELETE', path, token);
    assert.equal(res.status, 204);
    assert.deepEqual((await stack.call('GET', devicesPath('dora'), token)).body['devices'], []);
    assertFailure(await stack.call('DELETE', path, token), 404, 'DEVICE_NOT_FOUND');
    assertFailure(
      await stack.call('DELETE', `${devicesPath('dora')}/not-a-uuid`, token),
      404,
      'DEVICE_NOT_FOUND',
    );
  });

  it('drops an enrolment never activated after ten minutes', async () => {
    const device = await enrol(stack, token, 'edu');
    stack.clock.advance(10 * 60_000 + 1);
    const res = await stack.call(
      'POST',
      `${devicesPath('edu')}/${device.deviceId}/activate`,
      token,
      {
        otp: appCode(device.secret, stack.clock.now()),
      },
    );
    assertFailure(res, 404, 'DEVICE_NOT_FOUND');
    assert.deepEqual((await stack.call('GET', devicesPath('edu'), token)).body['devices'], []);
  });

  it('refuses a sixth device with 409 DEVICE_LIMIT_REACHED, and counts no expired enrolment', async () => {
    for (let i = 0; i < 5; i++) {
      await enrol(stack, token, 'fabi');
    }
    const sixth = await stack.call('POST', devicesPath('fabi'), token, { deviceType: 'totp' });
    assert.equal(assertFailure(sixth, 409, 'DEVICE_LIMIT_REACHED')['limit'], 5);
    stack.clock.advance(10 * 60_000 + 1);
    await enrol(stack, token, 'fabi');
  });

  it('keeps devices per application: another application’s user of the same name has none', async () => {
    const device = await enrolActive(stack, token, 'gil');
    const other = await stack.client({ clientId: 'totp-other', ...TOTP_APP });
    assert.deepEqual((await stack.call('GET', devicesPath('gil'), other)).body['devices'], []);
    const res = await stack.call('DELETE', `${devicesPath('gil')}/${device.deviceId}`, other);
    assertFailure(res, 404, 'DEVICE_NOT_FOUND');
  });

  it('enrols with the application’s algorithm and digits, and activates with such a code', async () => {
    const strong = await stack.client({
      clientId: 'totp-strong',
      ...TOTP_APP,
      totp: { algorithm: 'SHA512', digits: 8 },
    });
    const device = await enrol(stack, strong, 'hugo');
    assert.deepEqual([device.body['algorithm'], device.body['digits']], ['SHA512', 8]);
    const uri = new URL(device.otpauthUri);
    assert.deepEqual(
      [uri.searchParams.get('algorithm'), uri.searchParams.get('digits')],
      ['SHA512', '8'],
    );
    assert.match(device.secret, /^[A-Z2-7]{103}$/);
    const otp = appCode(device.secret, stack.clock.now(), { algorithm: 'SHA512', digits: 8 });
    const res = await stack.call(
      'POST',
      `${devicesPath('hugo')}/${device.deviceId}/activate`,
      strong,
      { otp },
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
  });

  it('refuses enrolment where the application has not enabled TOTP, and any other device type', async () => {
    const smsOnly = await stack.client({ clientId: 'sms-only' });
    const res = await stack.call('POST', devicesPath('ivo'), smsOnly, { deviceType: 'totp' });
    assertFailure(res, 400, 'UNSUPPORTED_DEVICE_TYPE');
    const sms = await stack.call('POST', devicesPath('ivo'), token, { deviceType: 'sms' });
    assertFailure(sms, 400, 'UNSUPPORTED_DEVICE_TYPE');
    const extra = await stack.call('POST', devicesPath('ivo'), token, { deviceType: 'totp', x: 1 });
    assertFailure(extra, 400, 'INVALID_REQUEST');
  });

  it('needs mfa:send to enrol, activate, list or remove; mfa:verify alone is refused with 403', async () => {
    const device = await enrol(stack, token, 'joao');
    const verifyOnly = await stack.client({ clientId: 'totp-verifier', ...TOTP_APP }, 'mfa:verify');
    const calls: [string, string, unknown?][] = [
      ['POST', devicesPath('joao'), { deviceType: 'totp' }],
      ['GET', devicesPath('joao')],
      ['POST', `${devicesPath('joao')}/${device.deviceId}/activate`, { otp: '123456' }],
      ['DELETE', `${devicesPath('joao')}/${device.deviceId}`],
    ];
    for (const [method, path, body] of calls) {
      assertFailure(await stack.call(method, path, verifyOnly, body), 403, 'FORBIDDEN');
      assertFailure(await stack.call(method, path, undefined, body), 401, 'UNAUTHORIZED');
    }
  });

  it('keeps no secret in clear in Redis: neither the base32 secret nor the otpauth URI', async () => {
    const pending = await enrol(stack, token, 'kim');
    const active = await enrolActive(stack, token, 'kim');
    const values = await redisText(redis.client());
    assert.ok(values.includes(active.deviceId), 'the scan does see the device records');
    for (const { secret } of [pending, active]) {
      assert.ok(!values.includes(secret), 'base32 secret stored in clear');
      assert.ok(!values.toLowerCase().includes(secret.toLowerCase()), 'lower-case secret in clear');
      assert.ok(!values.includes(Buffer.from(secret).toString('base64')), 'base64 of it in clear');
    }
    assert.doesNotMatch(values, /otpauth:\/\//);
  });
  it('lets an administrator choose the algorithm and digits of new devices, naming a wrong value', async () => {
    const admin = await stack.client({ clientId: 'totp-admin', scopes: ['mfa:admin'] });
    const path = '/admin/v1/applications/totp-shop';
    const res = await stack.call('PATCH', path, admin, {
      totp: { algorithm: 'sha256', digits: 8 },
    });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body['totp'], { algorithm: 'SHA256', digits: 8 });
    const device = await enrol(stack, token, 'lia');
    assert.deepEqual([device.body['algorithm'], device.body['digits']], ['SHA256', 8]);
    const bad = await stack.call('PATCH', path, admin, { totp: { algorithm: 'MD5', digits: 7 } });
    assert.deepEqual(detailFields(assertFailure(bad, 400, 'INVALID_REQUEST')), [
      'totp.algorithm',
      'totp.digits',
    ]);
  });
});
