// REDIS_WAIT_REPLICAS, as both services wait (common/src/replica-waits.ts), on a Redis without
// replicas: every WAIT comes back short after its timeout.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '@sms-mfa/common/logger';
import { ReplicaWaits } from '@sms-mfa/common/replica-waits';
import { skipOnCluster, useRedis } from '@sms-mfa/tests/support/redis-harness';
import { openTarget } from '@sms-mfa/tests/support/redis-target';

const TIMEOUT_MS = 300;

describe('waiting for Redis replicas before answering', () => {
  const redis = useRedis();
  const skip = skipOnCluster('a Redis Cluster has replicas to answer');

  function setUp(replicas = 1) {
    const client = openTarget(redis.url);
    redis.defer(() => void client.disconnect());
    const shorts: string[] = [];
    const waits = new ReplicaWaits({
      replicas,
      timeoutMs: TIMEOUT_MS,
      logger: createLogger('test', 'silent'),
      onShort: (connection) => shorts.push(connection),
    });
    const confirm = async (connection: string, key: string) => {
      await client.set(key, 'written');
      const started = performance.now();
      await waits.confirm({ connection, client, key, context: { write: 'test' } });
      return performance.now() - started;
    };
    return { shorts, confirm };
  }

  it(
    'shares one WAIT among writes answered together, then answers at once for a while, counting each write as short',
    { skip },
    async () => {
      const { shorts, confirm } = setUp();
      const tookMs = await Promise.all(
        Array.from({ length: 5 }, (_, i) => confirm('records', `k${i}`)),
      );
      assert.ok(
        Math.max(...tookMs) < 2 * TIMEOUT_MS,
        `five writes took ${tookMs.map(Math.round).join(', ')} ms`,
      );
      assert.ok(
        Math.min(...tookMs) >= TIMEOUT_MS - 20,
        'a write was answered before its WAIT ended',
      );
      assert.deepEqual(shorts, Array(5).fill('records'));
      // A replica away: the next write on that node is not held by the timeout again.
      assert.ok((await confirm('records', 'k9')) < TIMEOUT_MS / 2);
      assert.equal(shorts.length, 6);
    },
  );

  it(
    'waits on each connection on its own: a short answer on one does not pause the other',
    { skip },
    async () => {
      const { shorts, confirm } = setUp();
      await confirm('queue', 'q1');
      assert.ok((await confirm('records', 'r1')) >= TIMEOUT_MS - 20);
      assert.deepEqual(shorts, ['queue', 'records']);
    },
  );

  it('waits for nothing and counts nothing with REDIS_WAIT_REPLICAS=0', async () => {
    const { shorts, confirm } = setUp(0);
    assert.ok((await confirm('records', 'z1')) < TIMEOUT_MS / 2);
    assert.deepEqual(shorts, []);
  });
});
