import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { skipOnCluster, useRedis } from '@sms-mfa/tests/support/redis-harness';
import { KeyLayout } from '../src/otp/key-layout.js';
import { startDeviceAuthStack, type DeviceAuthStack } from './support/deviceauth-stack.js';
import { testPhone } from './support/otp-fixtures.js';
import { devicesPath, enrolActive, startTotp } from './support/totp-fixtures.js';

const TOTP_APP = { deviceTypes: ['SMS', 'TOTP'] as ('SMS' | 'TOTP')[] };
const keys = new KeyLayout('{mfa}');

/** A token from `stack` for an application registered earlier (the stack's client() registers one). */
async function tokenFor(stack: DeviceAuthStack, clientId: string): Promise<string> {
  const res = await fetch(`${stack.bridge.url}/ciam-mfa/v2/get/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: `secret-${clientId}-0123456789`,
    }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('upgrading a single Redis from the one-hash-tag layout', () => {
  const redis = useRedis();
  let after: DeviceAuthStack;
  let deviceId: string;
  const skip = skipOnCluster('the old layout only ever ran on one Redis');

  before(async () => {
    if (skip) {
      return;
    }
    const old = await startDeviceAuthStack(redis);
    const token = await old.client({ clientId: 'upgraded', ...TOTP_APP });
    await old.client({ clientId: 'console', scopes: ['mfa:admin'] });
    deviceId = (await enrolActive(old, token, 'ana')).deviceId;
    const client = redis.client();
    const userKey = await anaKey();
    // What an older bridge left: the same records under their {mfa}: names.
    await client.rename(
      keys.totpDevice(userKey, deviceId),
      `{mfa}:totp-device:${userKey}:${deviceId}`,
    );
    await client.rename(keys.totpDevices(userKey), `{mfa}:totp-devices:${userKey}`);
    await client.rename(keys.totpUsers('upgraded'), '{mfa}:totp-users:upgraded');
    await client.zadd('{mfa}:pump:q:upgraded', old.clock.now() + 3_600_000, '+23276');
    await client.hset('{mfa}:user-failures:someone', 'failures', '9');
    await client.xadd(
      '{mfa}:events',
      '1-1',
      'type',
      'issued',
      'application',
      'upgraded',
      'outcome',
      'success',
      'at',
      new Date(1).toISOString(),
    );
    after = await startDeviceAuthStack(redis);
  });

  /** ana's user key, found from the one device record there is. */
  async function anaKey(): Promise<string> {
    const [key = ''] = await redis.keys('mfa:*:totp-device:*');
    return key.split(':totp-device:')[1]?.split(':')[0] ?? '';
  }

  it(
    'still signs ana in with the authenticator app she enrolled before the upgrade',
    { skip },
    async () => {
      const token = await tokenFor(after, 'upgraded');
      const listed = await after.call('GET', devicesPath('ana'), token);
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      assert.match(JSON.stringify(listed.body), new RegExp(`"deviceId":"${deviceId}".*"ACTIVE"`));
      assert.ok(await startTotp(after, token, 'ana'));
      assert.deepEqual(await redis.keys('{mfa}:totp-*'), [], 'nothing is left under the old names');
    },
  );

  it(
    'keeps a quarantine and the user waits that were running, and the old audit trail',
    { skip },
    async () => {
      const admin = await tokenFor(after, 'console');
      const listed = await after.call('GET', '/admin/v1/applications/upgraded/quarantines', admin);
      const quarantines = listed.body['quarantines'] as { prefix: string }[];
      assert.deepEqual(
        quarantines.map((q) => q.prefix),
        ['+23276'],
      );
      assert.equal(await redis.client().hget(keys.userFailures('someone'), 'failures'), '9');
      const events = await after.call('GET', '/admin/v1/events?limit=1000', admin);
      const trail = events.body['events'] as { at: string }[];
      assert.equal(
        trail.at(-1)?.at,
        new Date(1).toISOString(),
        'the oldest event is the old stream’s',
      );
    },
  );

  it('moves nothing twice when the bridge starts again', { skip }, async () => {
    const again = await startDeviceAuthStack(redis);
    const token = await tokenFor(again, 'upgraded');
    const res = await again.call('POST', '/ciam-mfa/v2/deviceAuthentications', token, {
      userName: 'ana',
      phoneNumber: testPhone(1),
      deviceType: 'SMS',
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal((await redis.keys('mfa:*:totp-device:*')).length, 1);
  });
});
