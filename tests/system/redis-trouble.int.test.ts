// A service's Redis connection, once up, logs what goes wrong with it once per kind of trouble,
// not once per retry; and says nothing while it is still starting (the start-up's one line does).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { openRedis, type RedisClient } from '@sms-mfa/common/redis-client';
import { startLocalRedis, type LocalRedis } from '@sms-mfa/common/redis-server';
import { logRedisTrouble } from '@sms-mfa/common/redis-start';
import { capturingLogger } from '../support/capturing-logger.js';

const fastRetries = { retryStrategy: () => 50, maxRetriesPerRequest: 0 };

/**
 * A TCP relay in front of Redis that keeps its port while Redis "goes away": when down it resets
 * every connection (the client sees ECONNRESET on each retry). No port is ever given back, so no
 * other test can take it in between.
 */
class Relay {
  up = true;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  constructor(redisPort: number) {
    this.#server = createServer((socket) => {
      if (!this.up) {
        socket.resetAndDestroy();
        return;
      }
      const upstream = connect(redisPort, '127.0.0.1');
      for (const s of [socket, upstream]) {
        this.#sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => this.#sockets.delete(s));
      }
      socket.pipe(upstream).pipe(socket);
      socket.on('close', () => upstream.destroy());
      upstream.on('close', () => socket.destroy());
    });
  }

  async listen(): Promise<string> {
    this.#server.listen(0, '127.0.0.1');
    await once(this.#server, 'listening');
    return `redis://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  down(): void {
    this.up = false;
    for (const s of this.#sockets) {
      s.resetAndDestroy();
    }
  }

  close(): void {
    this.down();
    this.#server.close();
  }
}

/** Resolves once `done()` holds, checking every 20 ms; fails after 10 s. */
async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done(); waited += 20) {
    assert.ok(waited < 10_000, 'still waiting after 10 s');
    await sleep(20);
  }
}

/** Resolves once `client` is ready (at once when it already is). */
async function ready(client: RedisClient): Promise<void> {
  if (client.status !== 'ready') {
    await once(client, 'ready');
  }
}

describe('the Redis trouble log', { timeout: 30_000 }, () => {
  let redis: LocalRedis;
  before(async () => {
    redis = await startLocalRedis();
  });
  after(() => redis.stop());

  it('warns once per kind of error when Redis goes away, however often it retries, and again after it came back', async () => {
    const relay = new Relay(redis.port);
    const log = capturingLogger('test');
    const client = openRedis({ url: await relay.listen(), cluster: undefined }, fastRetries);
    let retries = 0;
    client.on('reconnecting', () => (retries += 1));
    const errors = () =>
      log.lines.map((l) => (JSON.parse(l) as { error: string }).error.replace(/ \S+:\d+$/, ''));
    try {
      logRedisTrouble(client, log.logger, 'redis connection problem');
      await ready(client);
      relay.down();
      await until(() => retries >= 5);
      // the live connection's reset, then every retry's refusal: two kinds, each logged once
      assert.deepEqual(errors(), ['read ECONNRESET', 'connect ECONNRESET']);

      relay.up = true;
      await ready(client);
      const before = retries;
      relay.down();
      await until(() => retries >= before + 3);
      assert.deepEqual(errors(), [
        'read ECONNRESET',
        'connect ECONNRESET',
        'read ECONNRESET',
        'connect ECONNRESET',
      ]);
    } finally {
      client.disconnect();
      relay.close();
    }
  });

  it('says nothing before the connection was ever ready', async () => {
    const relay = new Relay(redis.port);
    relay.up = false;
    const log = capturingLogger('test');
    const client = openRedis({ url: await relay.listen(), cluster: undefined }, fastRetries);
    try {
      logRedisTrouble(client, log.logger, 'redis connection problem');
      await sleep(400);
      assert.deepEqual(log.at('warn'), []);
    } finally {
      client.disconnect();
      relay.close();
    }
  });
});
