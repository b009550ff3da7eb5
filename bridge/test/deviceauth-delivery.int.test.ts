import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { before, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { assertFailure } from './support/ciam-response.js';
import { startDeviceAuthStack, type DeviceAuthStack } from './support/deviceauth-stack.js';
import { testPhone } from './support/otp-fixtures.js';

const BASE = '/ciam-mfa/v2/deviceAuthentications';
const API_KEY = 'reference-api-key-0123456789';

/** A server that accepts connections and never answers: a hung reference API. */
async function hangingServer(redis: ReturnType<typeof useRedis>): Promise<string> {
  const server: Server = createServer(() => undefined);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  redis.defer(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('sending through the reference API', () => {
  const redis = useRedis();
  let n = 0;
  const body = () => ({ userName: `user-${n}`, phoneNumber: testPhone(n++), deviceType: 'SMS' });

  const expectNothingLeft = async (stack: DeviceAuthStack, token: string) => {
    const before = await redis.keys('mfa:*:auth:*');
    const res = await stack.call('POST', BASE, token, body());
    assertFailure(res, 502, 'DELIVERY_UNAVAILABLE');
    assert.deepEqual(await redis.keys('mfa:*:auth:*'), before, 'no authentication was left behind');
  };

  describe('with the API key it requires', () => {
    let stack: DeviceAuthStack;
    let token: string;
    before(async () => {
      stack = await startDeviceAuthStack(
        redis,
        { REFERENCE_API_KEY: API_KEY },
        { REFERENCE_API_KEY: API_KEY },
      );
      token = await stack.client({ clientId: 'keyed' });
    });

    it('authenticates and the code arrives', async () => {
      const sent = body();
      assert.equal((await stack.call('POST', BASE, token, sent)).status, 201);
      assert.match(await stack.codeSentTo(sent.phoneNumber), /^\d{6}$/);
    });
  });

  describe('when the reference API refuses, is down or hangs', () => {
    it('answers 502 DELIVERY_UNAVAILABLE for a refused API key, leaving no authentication behind', async () => {
      const stack = await startDeviceAuthStack(
        redis,
        { REFERENCE_API_KEY: 'the-wrong-key-0123456789' },
        { REFERENCE_API_KEY: API_KEY },
      );
      await expectNothingLeft(stack, await stack.client({ clientId: 'wrong-key' }));
    });

    it("answers 502 DELIVERY_UNAVAILABLE when nothing listens, and a failed send does not count against the number's limit", async () => {
      const stack = await startDeviceAuthStack(redis, {
        REFERENCE_API_URL: 'http://127.0.0.1:1',
        RATE_PHONE_SENDS: '1',
      });
      const token = await stack.client({ clientId: 'down' });
      const sent = body();
      assertFailure(await stack.call('POST', BASE, token, sent), 502, 'DELIVERY_UNAVAILABLE');
      assertFailure(await stack.call('POST', BASE, token, sent), 502, 'DELIVERY_UNAVAILABLE');
      await expectNothingLeft(stack, token);
    });

    it('answers 502 DELIVERY_UNAVAILABLE after REFERENCE_API_TIMEOUT_MS when it hangs', async () => {
      const stack = await startDeviceAuthStack(redis, {
        REFERENCE_API_URL: await hangingServer(redis),
        REFERENCE_API_TIMEOUT_MS: '200',
      });
      const started = Date.now();
      await expectNothingLeft(stack, await stack.client({ clientId: 'hung' }));
      assert.ok(Date.now() - started < 3000);
    });
  });
});
