import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { freePort } from '../src/redis-server.js';
import { RedisUnavailableError, whileRedisAnswers } from '../src/redis-unavailable.js';

test('a command to a Redis nobody listens on becomes a RedisUnavailableError', async () => {
  const port = await freePort();
  const redis = new Redis({
    port,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await assert.rejects(
      whileRedisAnswers(() => redis.get('k')),
      (err) => err instanceof RedisUnavailableError && /Redis is unavailable/.test(err.message),
    );
  } finally {
    redis.disconnect();
  }
});

test('a command on a closed connection is recognised as Redis being unavailable', () => {
  assert.ok(RedisUnavailableError.from(new Error('Connection is closed.')));
  const maxRetries = Object.assign(new Error('Reached the max retries per request limit'), {
    name: 'MaxRetriesPerRequestError',
  });
  assert.ok(RedisUnavailableError.from(maxRetries));
});

test('an ordinary failure (a bug, a script error) is not mistaken for Redis being down', async () => {
  assert.equal(RedisUnavailableError.from(new TypeError('x is undefined')), undefined);
  assert.equal(RedisUnavailableError.from('a string'), undefined);
  await assert.rejects(
    whileRedisAnswers(() => Promise.reject(new RangeError('bad'))),
    (err) => err instanceof RangeError,
  );
});

test('a Redis Cluster between masters (CLUSTERDOWN, TRYAGAIN, a redirect ioredis did not follow, a demoted or loading node, no node answering) is unavailable, not a fault', () => {
  for (const message of [
    'CLUSTERDOWN The cluster is down',
    'CLUSTERDOWN Hash slot not served',
    'TRYAGAIN Multiple keys request during rehashing of slot',
    'None of startup nodes is available',
    'MOVED 4410 127.0.0.1:45081',
    'ASK 4410 127.0.0.1:45081',
    "READONLY You can't write against a read only replica.",
    'LOADING Redis is loading the dataset in memory',
    'Too many Cluster redirections. Last error: ReplyError: MOVED 3215 127.0.0.1:38595',
  ]) {
    assert.ok(RedisUnavailableError.from(new Error(message)), message);
  }
  assert.equal(
    RedisUnavailableError.from(new Error('WRONGTYPE Operation against a key')),
    undefined,
  );
});
