import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { describeRedis, REDIS_ENV, redisSettings } from '../src/redis-client.js';

const parse = (env: Record<string, string>) => {
  const parsed = z.object(REDIS_ENV).safeParse(env);
  if (!parsed.success) {
    return { error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) };
  }
  return redisSettings(parsed.data);
};

describe('where a service finds its Redis', () => {
  it('uses one Redis from REDIS_URL, with REDIS_PASSWORD added when the URL has none', () => {
    const result = parse({ REDIS_URL: 'redis://cache:6379/0', REDIS_PASSWORD: 's3cret/+' });
    assert.ok('settings' in result);
    assert.equal(result.settings.cluster, undefined);
    assert.equal(result.settings.url, 'redis://:s3cret%2F%2B@cache:6379/0');
    assert.deepEqual(result.problems, []);
  });

  it('reads the seed nodes of REDIS_CLUSTER_NODES, TLS when they are rediss://', () => {
    const plain = parse({ REDIS_CLUSTER_NODES: 'r1:7000, r2:7001,10.0.0.3:7002' });
    assert.ok('settings' in plain);
    assert.deepEqual(plain.settings.cluster, {
      nodes: [
        { host: 'r1', port: 7000 },
        { host: 'r2', port: 7001 },
        { host: '10.0.0.3', port: 7002 },
      ],
      tls: false,
      password: undefined,
    });
    const tls = parse({
      REDIS_CLUSTER_NODES: 'rediss://r1:7000,rediss://r2:7000',
      REDIS_PASSWORD: 'pw',
    });
    assert.ok('settings' in tls);
    assert.equal(tls.settings.cluster?.tls, true);
    assert.equal(tls.settings.cluster?.password, 'pw');
    assert.equal(
      describeRedis(tls.settings),
      'the Redis Cluster at rediss://r1:7000,rediss://r2:7000',
    );
  });

  it('refuses both REDIS_URL and REDIS_CLUSTER_NODES, and a mix of TLS and plain seeds, in one line each', () => {
    const both = parse({ REDIS_URL: 'redis://a:1', REDIS_CLUSTER_NODES: 'b:2' });
    assert.ok('problems' in both);
    assert.deepEqual(both.problems, [
      'REDIS_CLUSTER_NODES: set REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a cluster), not both',
    ]);
    const mixed = parse({ REDIS_CLUSTER_NODES: 'rediss://a:1,redis://b:2' });
    assert.ok('problems' in mixed);
    assert.deepEqual(mixed.problems, [
      'REDIS_CLUSTER_NODES: give every seed node as rediss:// (TLS) or none',
    ]);
  });

  it('says what it expects when a seed node is not host:port', () => {
    const result = parse({ REDIS_CLUSTER_NODES: 'r1:7000,r2' });
    assert.ok('error' in result);
    assert.match(String(result.error), /REDIS_CLUSTER_NODES: must be host:port seed nodes/);
  });

  it('never shows a password when it names where it connects', () => {
    assert.equal(
      describeRedis({ url: 'redis://user:hunter2@cache:6379', cluster: undefined }),
      'Redis at redis://***@cache:6379',
    );
  });

  it('waits for no replica unless REDIS_WAIT_REPLICAS asks, half a second at most by default', () => {
    const result = parse({ REDIS_URL: 'redis://a:1' });
    assert.ok('settings' in result);
    assert.equal(result.settings.waitReplicas, 0);
    assert.equal(result.settings.waitTimeoutMs, 500);
  });
});
