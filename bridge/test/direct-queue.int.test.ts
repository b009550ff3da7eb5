// REFERENCE_API_DIRECT_QUEUE: the bridge puts codes on the reference API's queue itself.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { createLogger } from '@sms-mfa/common/logger';
import { loadConfig as loadReferenceConfig } from '@sms-mfa/reference-api/config';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { openQueueSender } from '../src/messaging/queue-sender.js';
import { startDeviceAuthStack, type DeviceAuthStack } from './support/deviceauth-stack.js';
import { testConfig, testPhone } from './support/otp-fixtures.js';

const BASE = '/ciam-mfa/v2/deviceAuthentications';
// Nothing listens here: a code that arrives did not go over HTTP.
const NOWHERE = 'http://127.0.0.1:9';

describe('the direct queue (REFERENCE_API_DIRECT_QUEUE)', () => {
  const redis = useRedis();

  describe('beside a reference API worker on the same Redis', () => {
    let stack: DeviceAuthStack;
    let token: string;
    before(async () => {
      const env = { REFERENCE_API_DIRECT_QUEUE: 'true', REFERENCE_API_URL: NOWHERE };
      stack = await startDeviceAuthStack(redis, env);
      token = await stack.client({ clientId: 'direct' });
    });

    it('queues a code the worker sends, without the HTTP hop, and the code validates', async () => {
      const sent = { userName: 'ada', phoneNumber: testPhone(1), deviceType: 'SMS' };
      const issued = await stack.call('POST', BASE, token, sent);
      assert.equal(issued.status, 201);
      const otp = await stack.codeSentTo(sent.phoneNumber);
      const checked = await stack.call('POST', `${BASE}/${String(issued.body['authId'])}`, token, {
        otp,
        deviceType: 'SMS',
      });
      assert.equal(checked.status, 200);
    });
  });

  it('queues one message for one idempotency key, and prices only the first', async () => {
    const config = loadReferenceConfig({
      ...redis.env,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'direct-queue-')),
      PRICE_TABLE_FILE: join(import.meta.dirname, '../../reference-api/prices.sample.json'),
    });
    const sender = await openQueueSender(config, 'anonymous', createLogger('test', 'silent'));
    redis.defer(() => sender.close());
    const code = {
      to: testPhone(2),
      channel: 'sms' as const,
      text: 'Your code is 123456',
      code: '123456',
      ttlSeconds: 300,
      locale: undefined,
      idempotencyKey: 'auth-1.1',
    };
    const first = await sender.send(code);
    const again = await sender.send(code);
    assert.equal(again.messageId, first.messageId);
    assert.ok(first.estimatedPrice);
    assert.equal(again.estimatedPrice, undefined);
  });

  it("names the reference API's settings at fault at start-up", () => {
    assert.throws(
      () =>
        testConfig({
          REFERENCE_API_DIRECT_QUEUE: 'true',
          REDIS_URL: 'redis://127.0.0.1:1',
          QUEUE_PREFIX: 'plain',
        }),
      /REFERENCE_API_DIRECT_QUEUE: QUEUE_PREFIX: must be a Redis hash tag/,
    );
  });
});
