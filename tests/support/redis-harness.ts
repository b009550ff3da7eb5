import { after, before } from 'node:test';
import { masters, type RedisClient } from '@sms-mfa/common/redis-client';
import { startLocalRedis } from '@sms-mfa/common/redis-server';
import { startRedisCluster } from './redis-cluster.js';
import { clusterTarget, openTarget, redisEnv } from './redis-target.js';

/**
 * A real Redis for one test file, started before its tests and stopped after: one redis-server,
 * or with TEST_REDIS=cluster a Redis Cluster of 3 masters and 3 replicas (`npm run test:cluster`).
 */
export interface RedisHarness {
  /**
   * Where it is: `redis://…` for a server, `redis-cluster://seeds` for a cluster. Hand it to the
   * service harnesses (they turn it into variables with redisEnv); give a service's own config
   * {@link RedisHarness.env}, never `REDIS_URL: url`.
   */
  readonly url: string;
  /** REDIS_URL or REDIS_CLUSTER_NODES, whichever points a service (or a CLI) at this Redis. */
  readonly env: Readonly<Record<string, string>>;
  /** A connection for the test's own assertions (a Cluster client on a cluster; closed by the harness). */
  client(): RedisClient;
  /** Every key matching `pattern`, from every master (KEYS on a cluster client asks one node only). */
  keys(pattern?: string): Promise<string[]>;
  /** Empties every key between tests (on every master of a cluster). */
  flush(): Promise<void>;
  /**
   * Runs `cleanup` after the file's tests, before Redis stops (node:test runs `after` hooks in
   * registration order, so a plain `after` would find Redis already gone). Last deferred runs first.
   */
  defer(cleanup: () => unknown): void;
}

/** True when this run's tests get a Redis Cluster from {@link useRedis} (TEST_REDIS=cluster). */
export const onCluster = testRedisKind() === 'cluster';

/**
 * For `it(name, { skip: skipOnCluster('why') }, …)`: a test about one server's own behaviour (a
 * restart, its data directory) skips itself on the cluster and says why.
 */
export function skipOnCluster(reason: string): string | false {
  return onCluster ? `single-server behaviour: ${reason}` : false;
}

function testRedisKind(): 'server' | 'cluster' {
  const kind = process.env['TEST_REDIS'] ?? 'server';
  if (kind !== 'server' && kind !== 'cluster') {
    throw new TypeError(`TEST_REDIS must be "server" or "cluster", not "${kind}"`);
  }
  return kind;
}

const CLEANUP_LIMIT_MS = 10_000;

async function bounded(cleanup: () => unknown): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLEANUP_LIMIT_MS)));
  await Promise.race([
    Promise.resolve()
      .then(cleanup)
      .catch((err: unknown) => console.error('cleanup failed:', err)),
    limit,
  ]);
  clearTimeout(timer);
}

/** A running server or cluster: its target string and how to stop it. */
interface Started {
  readonly url: string;
  stop(): Promise<void>;
}

async function startTestRedis(): Promise<Started> {
  if (onCluster) {
    // The harness's default node timeout (5 s), not a failover test's 1 s: on a busy machine a
    // master slow to answer its peers for a second is replaced mid-test, with its unreplicated writes.
    const cluster = await startRedisCluster();
    return { url: clusterTarget(cluster.seeds), stop: () => cluster.stop() };
  }
  return startLocalRedis();
}

/** Registers before/after hooks that start and stop a private Redis for the calling test file. */
export function useRedis(): RedisHarness {
  let server: Started | undefined;
  let connection: RedisClient | undefined;
  const cleanups: (() => unknown)[] = [];
  before(async () => {
    server = await startTestRedis();
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) {
      await bounded(cleanup);
    }
    connection?.disconnect();
    await server?.stop();
  });
  /** The masters, once the client knows the cluster's layout (a PING makes it load the slots). */
  const everyMaster = async () => {
    await harness.client().ping();
    return masters(harness.client());
  };
  const harness: RedisHarness = {
    get url() {
      if (!server) {
        throw new TypeError('useRedis(): Redis is not started yet (use it inside a test)');
      }
      return server.url;
    },
    get env() {
      return redisEnv(harness.url);
    },
    client() {
      connection ??= openTarget(harness.url, { maxRetriesPerRequest: 1 });
      return connection;
    },
    async keys(pattern = '*') {
      const lists = await Promise.all((await everyMaster()).map((node) => node.keys(pattern)));
      return lists.flat().sort();
    },
    async flush() {
      await Promise.all((await everyMaster()).map((node) => node.flushall()));
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
  };
  return harness;
}
