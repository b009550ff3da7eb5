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
}

/** Registers before/after hooks that start and stop a private Redis for the calling test file. */
export function useRedis(): RedisHarness {
  let server: LocalRedis | undefined;
  let connection: Redis | undefined;
  before(async () => {
    server = await startLocalRedis();
  });
  after(async () => {
    connection?.disconnect();
    await server?.stop();
  });
  const harness: RedisHarness = {
    get url() {
      if (!server) throw new TypeError('useRedis(): Redis is not started yet (use it inside a test)');
      return server.url;
    },
    client() {
      connection ??= new Redis(harness.url, { maxRetriesPerRequest: 1 });
      return connection;
    },
    async flush() {
      await harness.client().flushall();
    },
  };
  return harness;
}
