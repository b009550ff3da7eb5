import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { skipOnCluster, useRedis } from '@sms-mfa/tests/support/redis-harness';
import { startDeviceAuthStack } from './support/deviceauth-stack.js';
import { testPhone } from './support/otp-fixtures.js';

const BASE = '/ciam-mfa/v2/deviceAuthentications';

const shortWaits = async (url: string) =>
  Number(
    /^redis_wait_replicas_short_total (\d+)/m.exec(
      await (await fetch(`${url}/metrics`)).text(),
    )?.[1],
  );

describe('REDIS_WAIT_REPLICAS on a Redis without enough replicas', () => {
  const redis = useRedis();

  it(
    'still sends and validates the code, and counts each answer the replicas did not confirm',
    { skip: skipOnCluster('a single Redis has no replica to wait for') },
    async () => {
      const stack = await startDeviceAuthStack(redis, {
        REDIS_WAIT_REPLICAS: '1',
        REDIS_WAIT_TIMEOUT_MS: '50',
      });
      const token = await stack.client({ clientId: 'durable' });
      const sent = await stack.call('POST', BASE, token, {
        userName: 'jdoe',
        phoneNumber: testPhone(7),
        deviceType: 'SMS',
      });
      assert.equal(sent.status, 201, JSON.stringify(sent.body));
      assert.ok((await shortWaits(stack.bridge.url)) >= 1);
      const otp = await stack.codeSentTo(testPhone(7));
      const checked = await stack.call('POST', `${BASE}/${String(sent.body['authId'])}`, token, {
        otp,
      });
      assert.equal(checked.status, 200, JSON.stringify(checked.body));
      assert.ok((await shortWaits(stack.bridge.url)) >= 2);
    },
  );
});
