import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';
import { masters, type RedisClient } from '@sms-mfa/common/redis-client';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { openTarget } from '@sms-mfa/tests/support/redis-target';
import { BRIDGE_REDIS_OPTIONS } from '../src/compose.js';
import { issueCode } from '../src/otp/issue-code.js';
import { testApplication, testConfig, testOtpDeps, testPhone } from './support/otp-fixtures.js';

const redis = useRedis();
const app = testApplication();
const config = testConfig({ RATE_PHONE_SENDS: '1000', RATE_APP_SENDS_PER_MINUTE: '1000' });
const policy = {
  failuresBeforeWait: 5,
  firstWaitMs: 1000,
  longestWaitMs: 60_000,
  retentionMs: 3_600_000,
};

/** Counts the writes on every master connection of `client` from now on. */
function countWrites(client: RedisClient): () => number {
  let writes = 0;
  for (const node of masters(client)) {
    const stream = node.stream;
    const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    stream.write = ((...args: unknown[]) => {
      writes++;
      return write(...args);
    }) as typeof stream.write;
  }
  return () => writes;
}

describe("the bridge's Redis connection", () => {
  let client: RedisClient;
  before(async () => {
    // The bridge's own options; the offline queue only so the test need not wait for 'ready' itself.
    client = openTarget(redis.url, { ...BRIDGE_REDIS_OPTIONS, enableOfflineQueue: true });
    redis.defer(() => client.disconnect());
    await client.ping();
  });
  beforeEach(() => redis.flush());

  it('sends the validations of concurrent sign-ins together, one write per Redis master, not one each', async () => {
    const { deps, clock } = testOtpDeps(client, { config });
    const sign = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        issueCode(deps, app, {
          userName: `user-${i}`,
          phoneNumber: testPhone(i),
          deviceType: 'sms',
        }),
      ),
    );
    const records = await Promise.all(sign.map(({ authId }) => deps.store.get(authId)));
    const writes = countWrites(client);
    const outcomes = await Promise.all(
      records.map((r) =>
        deps.store.verify({
          authId: r!.authId,
          clientId: app.clientId,
          userKey: r!.userKey,
          matched: true,
          candidateHash: r!.codeHash ?? '',
          nowMs: clock.now(),
          policy,
        }),
      ),
    );
    assert.deepEqual(
      outcomes.map((o) => o.kind),
      Array(10).fill('validated'),
    );
    assert.ok(
      writes() <= masters(client).length,
      `10 validations took ${writes()} writes over ${masters(client).length} master(s)`,
    );
  });
});
