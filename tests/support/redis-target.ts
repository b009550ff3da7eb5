// Where a test's Redis is, as one string the harnesses pass around: `redis://host:port` for one
// server, or `redis-cluster://host:port,host:port,…` (seed nodes) for a Redis Cluster. The second
// form is a test-only name: no service accepts it as REDIS_URL (that variable must be redis:// or
// rediss://), so a test that still writes `REDIS_URL: redis.url` fails loudly on the cluster
// instead of quietly talking to one node. Services get their variables from redisEnv().
import type { RedisOptions } from 'ioredis';
import { openRedis, type RedisClient } from '@sms-mfa/common/redis-client';

const CLUSTER_SCHEME = 'redis-cluster://';

/** The target string for a cluster reached through `seeds` (`host:port,host:port,…`). */
export function clusterTarget(seeds: string): string {
  return `${CLUSTER_SCHEME}${seeds}`;
}

/** The seed nodes of a cluster target, or undefined for a single server. */
export function clusterSeeds(target: string): string | undefined {
  return target.startsWith(CLUSTER_SCHEME) ? target.slice(CLUSTER_SCHEME.length) : undefined;
}

/** The variables that point a service (bridge, reference API, worker, CLI) at `target`. */
export function redisEnv(target: string): { REDIS_URL: string } | { REDIS_CLUSTER_NODES: string } {
  const seeds = clusterSeeds(target);
  return seeds ? { REDIS_CLUSTER_NODES: seeds } : { REDIS_URL: target };
}

/** A new client for `target`: ioredis' Cluster client for a cluster, a plain connection otherwise. */
export function openTarget(target: string, options: RedisOptions = {}): RedisClient {
  const seeds = clusterSeeds(target);
  if (!seeds) {
    return openRedis({ url: target, cluster: undefined }, options);
  }
  const nodes = seeds.split(',').map((seed) => {
    const [host = '127.0.0.1', port = ''] = seed.split(':');
    return { host, port: Number(port) };
  });
  return openRedis(
    { url: undefined, cluster: { nodes, tls: false, password: undefined } },
    options,
  );
}
