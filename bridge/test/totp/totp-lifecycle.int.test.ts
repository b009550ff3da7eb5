import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { assertFailure } from '../support/ciam-response.js';
import { startDeviceAuthStack, type DeviceAuthStack } from '../support/deviceauth-stack.js';
import { devicesPath, enrol, enrolActive } from '../support/totp-fixtures.js';
import { auditTrail } from '../support/audit-trail.js';

const TOTP_APP = { deviceTypes: ['SMS', 'TOTP'] as ('SMS' | 'TOTP')[] };
const ADMIN = { clientId: 'lifecycle-admin', clientSecret: 'lifecycle-admin-secret-0123456789' };

describe('authenticator devices over an application’s life', () => {
  const redis = useRedis();
  let stack: DeviceAuthStack;
  let admin: string;

  before(async () => {
    stack = await startDeviceAuthStack(redis, {
      BRIDGE_ADMIN_CLIENT_ID: ADMIN.clientId,
      BRIDGE_ADMIN_CLIENT_SECRET: ADMIN.clientSecret,
    });
    const res = await fetch(`${stack.bridge.url}/ciam-mfa/v2/get/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: ADMIN.clientId,
        client_secret: ADMIN.clientSecret,
      }),
    });
    admin = ((await res.json()) as { access_token: string }).access_token;
  });

  it('records enrolment, activation and removal in the audit trail, with the device id', async () => {
    const token = await stack.client({ clientId: 'audited', ...TOTP_APP });
    const device = await enrolActive(stack, token, 'ana');
    const removed = await stack.call('DELETE', `${devicesPath('ana')}/${device.deviceId}`, token);
    assert.equal(removed.status, 204);
    const events = (await auditTrail(redis.client())).filter(
      (e) => String(e['type']).startsWith('device_') && e['application'] === 'audited',
    );
    assert.deepEqual(
      events.map((e) => [e['type'], e['deviceId']]),
      [
        ['device_enrolled', device.deviceId],
        ['device_activated', device.deviceId],
        ['device_removed', device.deviceId],
      ],
    );
    assert.doesNotMatch(JSON.stringify(events), new RegExp(device.secret));
  });

  it('removes every user’s devices with their application, so one re-created under the same id starts with none', async () => {
    const token = await stack.client({ clientId: 'recreated', ...TOTP_APP });
    await enrolActive(stack, token, 'bob');
    await enrol(stack, token, 'carol');
    const deleted = await stack.call('DELETE', '/admin/v1/applications/recreated', admin);
    assert.equal(deleted.status, 204);
    // What is left is the other application's (its one user's device was removed by hand above).
    assert.deepEqual(await redis.keys('mfa:*totp-*'), ['mfa:totp-users:audited']);

    const again = await stack.client({ clientId: 'recreated', ...TOTP_APP });
    const listed = await stack.call('GET', devicesPath('bob'), again);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body['devices'], []);
    const signIn = await stack.call('POST', '/ciam-mfa/v2/deviceAuthentications', again, {
      userName: 'bob',
      deviceType: 'totp',
    });
    assertFailure(signIn, 409, 'DEVICE_NOT_ACTIVE');
  });
});
