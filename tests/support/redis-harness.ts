import { after, before } from 'node:test';
import { Redis } from 'ioredis';
import { startLocalRedis, type LocalRedis } from '@sms-mfa/common/redis-server';

/** A real redis-server on a free port for one test file, started before its tests and stopped after. */
export interface RedisHarness {
  readonly url: string;
  /** A connection for the test's own assertions (closed by the harness). */
  client(): Redis;
  /** Empties every key between tests. */
  flush(): Promise<void>;
  /**
   * Runs `cleanup` after the file's tests, before Redis stops (node:test runs `after` hooks in
   * registration order, so a plain `after` would find Redis already gone). Last deferred runs first.
   */
  defer(cleanup: () => unknown): void;
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

/** Registers before/after hooks that start and stop a private Redis for the calling test file. */
export function useRedis(): RedisHarness {
  let server: LocalRedis | undefined;
  let connection: Redis | undefined;
  const cleanups: (() => unknown)[] = [];
  before(async () => {
    server = await startLocalRedis();
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) {
      await bounded(cleanup);
    }
    connection?.disconnect();
    await server?.stop();
  });
  const harness: RedisHarness = {
    get url() {
      if (!server) {
        throw new TypeError('useRedis(): Redis is not started yet (use it inside a test)');
      }
      return server.url;
    },
    client() {
      connection ??= new Redis(harness.url, { maxRetriesPerRequest: 1 });
      return connection;
    },
    async flush() {
      await harness.client().flushall();
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
  };
  return harness;
}
