// The worker-level guarantees, shown with the in-process scripted provider (no HTTP).
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { scriptedProvider, type ScriptedProvider } from './fakes/scripted.provider.js';
import { delayedJob, startWorkerHarness, type WorkerHarness } from './support/worker-harness.js';

describe('the send worker with a scripted provider', () => {
  const redis = useRedis();
  let provider: ScriptedProvider;
  let harness: WorkerHarness;
  before(async () => {
    provider = scriptedProvider('scripted');
    harness = await startWorkerHarness({ redisUrl: redis.url, providers: [provider] });
    redis.defer(() => harness.close());
  });

  it('retries transient failures with backoff and records each try in the history', async () => {
    provider.failNext('transient', { times: 2 });
    const id = await harness.send();
    const record = await harness.waitFor(id);
    assert.equal(record.status, 'sent');
    assert.equal(provider.calls.filter((c) => c.messageId === id).length, 3);
    assert.equal(record.history.filter((h) => h.event === 'sending').length, 3);
  });

  it('fails a message when the only provider spends all its tries', async () => {
    provider.failNext('transient', { times: 3 });
    const id = await harness.send();
    const record = await harness.waitFor(id);
    assert.equal(record.status, 'failed');
    assert.match(record.reason ?? '', /scripted: upstream 503/);
  });

  it('drops a message whose lifetime is over before it is sent', async () => {
    provider.failNext('rate_limited', { retryAfterSeconds: 5 });
    const id = await harness.send({ ttlSeconds: 30 });
    await harness.waitFor(id, ['sending']);
    // The pause (5 s) fits in the lifetime, so the job waits; make the clock pass its expiry.
    const job = await delayedJob(harness, id);
    await job.updateData({ ...job.data, expiresAt: Date.now() - 1 });
    await job.promote();
    const record = await harness.waitFor(id, ['expired'], 10_000);
    assert.equal(record.status, 'expired');
    assert.equal(
      provider.calls.filter((c) => c.messageId === id).length,
      1,
      'never delivered late',
    );
  });
});
