// REDIS_WAIT_REPLICAS: a new message is acknowledged once replicas hold it, or after
// REDIS_WAIT_TIMEOUT_MS with a warning and a count. A lone Redis has no replica: every wait is short.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { postJson, startApi } from './support/api-harness.js';

const TIMEOUT_MS = 400;
const SHORT = 'redis_wait_replicas_short_total';

/** The sum of a counter's samples over its labels (0 when it has none yet). */
function total(text: string, name: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

describe('waiting for Redis replicas before acknowledging a message', () => {
  const redis = useRedis();
  const onCluster = process.env['TEST_REDIS'] === 'cluster';

  async function sendOnce(env: Record<string, string>, path: string, { warmUp = false } = {}) {
    const api = await startApi(redis.url, env, { role: 'api' });
    redis.defer(() => api.close());
    const body =
      path === '/api/sms'
        ? { mobile: '+5511966191717', totp: '482916' }
        : { to: '+5511966191717', code: '482916' };
    if (warmUp) {
      await postJson(`${api.url}${path}`, body);
    }
    const started = performance.now();
    const res = await postJson(`${api.url}${path}`, body);
    const tookMs = performance.now() - started;
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    return { res, tookMs, short: total(metrics, SHORT), metrics };
  }

  it(
    'still accepts a message when no replica answers, after REDIS_WAIT_TIMEOUT_MS, and counts it',
    { skip: onCluster ? 'needs a Redis without replicas' : false },
    async () => {
      const env = { REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: String(TIMEOUT_MS) };
      for (const path of ['/v1/messages', '/api/sms']) {
        const { res, tookMs, metrics } = await sendOnce(env, path);
        assert.equal(res.status, 202);
        assert.ok(tookMs >= TIMEOUT_MS - 20, `answered after ${tookMs} ms, before the wait ended`);
        assert.ok(tookMs < TIMEOUT_MS + 1500, `answered after ${tookMs} ms`);
        // Both connections that wrote were waited on: the queue's (the job) and the records'.
        assert.equal(total(metrics, `${SHORT}{connection="queue"}`), 1);
        assert.equal(total(metrics, `${SHORT}{connection="records"}`), 1);
      }
    },
  );

  it('neither waits nor counts anything with REDIS_WAIT_REPLICAS=0', async () => {
    // The first message also opens the API's connections (on a cluster, learns its slots): time the next.
    const { res, tookMs, short } = await sendOnce({ REDIS_WAIT_REPLICAS: '0' }, '/v1/messages', {
      warmUp: true,
    });
    assert.equal(res.status, 202);
    assert.equal(short, 0);
    assert.ok(tookMs < TIMEOUT_MS, `answered after ${tookMs} ms`);
  });

  it(
    'shares one wait among messages accepted at the same time, instead of queueing a wait each',
    { skip: onCluster ? 'needs a Redis without replicas' : false },
    async () => {
      const api = await startApi(
        redis.url,
        { REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: String(TIMEOUT_MS) },
        { role: 'api' },
      );
      redis.defer(() => api.close());
      const started = performance.now();
      const answers = await Promise.all(
        Array.from({ length: 10 }, () =>
          postJson(`${api.url}/v1/messages`, { to: '+5511966191717', code: '482916' }),
        ),
      );
      const tookMs = performance.now() - started;
      assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([202]));
      // Ten waits one after another would take 10 × 400 ms; shared, a round or two (those whose
      // writes queued behind the first WAIT need a second one).
      assert.ok(tookMs < 6 * TIMEOUT_MS, `ten messages took ${tookMs} ms`);
    },
  );
});
