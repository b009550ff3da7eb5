// The one client every process opens (common/src/redis-client.ts) against a real local cluster.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  isCluster,
  masters,
  openRedis,
  waitForReplicas,
  type RedisClient,
} from '@sms-mfa/common/redis-client';
import { startRedisCluster, type RedisCluster } from '@sms-mfa/tests/support/redis-cluster';

describe('a service client on a Redis Cluster', () => {
  let cluster: RedisCluster;
  let client: RedisClient;
  before(async () => {
    cluster = await startRedisCluster();
    client = openRedis(
      {
        url: undefined,
        cluster: {
          nodes: cluster.seeds
            .split(',')
            .map((s) => ({ host: '127.0.0.1', port: Number(s.split(':')[1]) })),
          tls: false,
          password: undefined,
        },
      },
      { maxRetriesPerRequest: 1, enableAutoPipelining: true },
    );
  });
  after(async () => {
    await client?.quit().catch(() => undefined);
    await cluster?.stop();
  });

  it('reaches every master from the seed nodes and runs a MULTI within one hash tag', async () => {
    assert.ok(isCluster(client));
    await client.multi().hset('{u:1}:a', { x: '1' }).pexpire('{u:1}:a', 60_000).exec();
    assert.equal(await client.hget('{u:1}:a', 'x'), '1');
    await client.ping();
    assert.equal(masters(client).length, 3);
  });

  it('holds a write on a replica before it says so (WAIT on the node that took the write)', async () => {
    for (const tag of ['a', 'b', 'c', 'd', 'e', 'f']) {
      const key = `{${tag}}:written`;
      await client.set(key, 'v');
      assert.equal(await waitForReplicas(client, key, 1, 2000), 1, `replica of ${key}`);
    }
  });
});
