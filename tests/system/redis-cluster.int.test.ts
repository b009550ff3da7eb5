// The harness issue 13's cluster tests stand on: a real local Redis Cluster, 3 masters and 3 replicas.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Cluster, Redis } from 'ioredis';
import { portInUse } from '@sms-mfa/common/redis-server';
import { startRedisCluster, type RedisCluster } from '@sms-mfa/tests/support/redis-cluster';

describe('a local Redis Cluster started by the test harness', () => {
  let cluster: RedisCluster;
  let client: Cluster;
  before(async () => {
    cluster = await startRedisCluster();
    client = new Cluster(
      cluster.seeds.split(',').map((s) => ({ host: '127.0.0.1', port: Number(s.split(':')[1]) })),
    );
  });
  after(async () => {
    await client?.quit().catch(() => undefined);
    await cluster?.stop();
  });

  it('has three masters, each with one replica, and every slot served', async () => {
    const any = new Redis(cluster.nodes[0]!.port, '127.0.0.1');
    try {
      const nodes = String(await any.cluster('NODES'))
        .trim()
        .split('\n');
      const flags = nodes.map((line) => line.split(' ')[2] ?? '');
      const masters = flags.filter((f) => f.includes('master'));
      const replicas = flags.filter((f) => f.includes('slave'));
      assert.equal(masters.length, 3);
      assert.equal(replicas.length, 3);
      assert.match(String(await any.cluster('INFO')), /cluster_slots_assigned:16384/);
    } finally {
      any.disconnect();
    }
  });

  it('spreads keys with different hash tags over the masters, and keeps one tag on one slot', async () => {
    const owners = new Set<string>();
    for (let i = 0; i < 60; i++) {
      await client.set(`{user-${i}}:auth`, String(i));
      const slot = Number(await client.cluster('KEYSLOT', `{user-${i}}:auth`));
      owners.add(String(client.slots[slot]?.[0]));
    }
    assert.equal(owners.size, 3, 'every master holds some of the keys');
    assert.equal(
      await client.cluster('KEYSLOT', '{user-7}:auth'),
      await client.cluster('KEYSLOT', '{user-7}:attempts'),
    );
    assert.equal(await client.get('{user-42}:auth'), '42');
  });

  it('leaves no node running once stopped', async () => {
    const ports = cluster.nodes.map((n) => n.port);
    await client.quit();
    await cluster.stop();
    for (const port of ports) {
      assert.equal(await portInUse(port), false, `port ${port} still answers`);
    }
  });
});
