// A service's Redis connection, once up, logs what goes wrong with it once per kind of trouble,
// not once per retry; and says nothing while it is still starting (the start-up's one line does).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { openRedis } from '@sms-mfa/common/redis-client';
import { freePort, startLocalRedis } from '@sms-mfa/common/redis-server';
import { logRedisTrouble } from '@sms-mfa/common/redis-start';
import { capturingLogger } from '../support/capturing-logger.js';

const settings = (url: string) => ({ url, cluster: undefined });
const fastRetries = { retryStrategy: () => 50, maxRetriesPerRequest: 0 };

describe('the Redis trouble log', () => {
  it('warns once when Redis goes away, however often the connection retries, and again after it came back', async () => {
    const port = await freePort();
    let server = await startLocalRedis({ port });
    const log = capturingLogger('test');
    const client = openRedis(settings(server.url), fastRetries);
    try {
      logRedisTrouble(client, log.logger, 'redis connection problem');
      await once(client, 'ready');
      await server.stop();
      await sleep(600); // about ten retries
      assert.deepEqual(log.at('warn'), ['redis connection problem']);

      server = await startLocalRedis({ port });
      await once(client, 'ready');
      await server.stop();
      await sleep(300);
      assert.deepEqual(log.at('warn'), ['redis connection problem', 'redis connection problem']);
    } finally {
      client.disconnect();
      await server.stop();
    }
  });

  it('says nothing before the connection was ever ready', async () => {
    const log = capturingLogger('test');
    const client = openRedis(settings(`redis://127.0.0.1:${await freePort()}`), fastRetries);
    try {
      logRedisTrouble(client, log.logger, 'redis connection problem');
      await sleep(400);
      assert.deepEqual(log.at('warn'), []);
    } finally {
      client.disconnect();
    }
  });
});
