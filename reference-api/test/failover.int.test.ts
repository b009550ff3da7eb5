import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { scriptedProvider, type ScriptedProvider } from './fakes/scripted.provider.js';
import { startWorkerHarness, type WorkerHarness } from './support/worker-harness.js';

describe('failover along the provider chain', () => {
  const redis = useRedis();
  let primary: ScriptedProvider;
  let backup: ScriptedProvider;
  let harness: WorkerHarness;
  before(async () => {
    primary = scriptedProvider('primary');
    backup = scriptedProvider('backup', ['sms']);
    harness = await startWorkerHarness({
      redisUrl: redis.url,
      providers: [primary, backup],
      attemptsPerProvider: 2,
    });
    redis.defer(() => harness.close());
  });

  it('hands a permanently refused message to the next provider at once', async () => {
    primary.failNext('permanent');
    const id = await harness.send();
    const record = await harness.waitFor(id);
    assert.equal(record.status, 'sent');
    assert.equal(record.provider, 'backup');
    assert.equal(
      primary.calls.filter((c) => c.messageId === id).length,
      1,
      'no retry on the refusing provider',
    );
    const failed = record.history.find((h) => h.event === 'attempt_failed');
    assert.equal(failed?.provider, 'primary');
    assert.match(failed?.reason ?? '', /^permanent: number blocked/);
  });

  it('moves on to the next provider when the first has spent its retries', async () => {
    primary.failNext('transient', { times: 2 });
    const id = await harness.send();
    const record = await harness.waitFor(id);
    assert.equal(record.provider, 'backup');
    assert.equal(primary.calls.filter((c) => c.messageId === id).length, 2);
    assert.equal(backup.calls.filter((c) => c.messageId === id).length, 1);
  });

  it('keeps a message on the first provider when a retry succeeds', async () => {
    primary.failNext('transient');
    const id = await harness.send();
    const record = await harness.waitFor(id);
    assert.equal(record.provider, 'primary');
    assert.equal(backup.calls.filter((c) => c.messageId === id).length, 0);
  });

  it('fails with the last reason when every provider refuses', async () => {
    primary.failNext('permanent');
    backup.failNext('permanent', { code: 'UNREACHABLE' });
    const id = await harness.send();
    const record = await harness.waitFor(id);
    assert.equal(record.status, 'failed');
    assert.equal(record.errorCode, 'UNREACHABLE');
    assert.match(record.reason ?? '', /^backup:/);
  });

  it('skips providers that cannot carry the channel', async () => {
    const id = await harness.send({ channel: 'whatsapp' });
    const record = await harness.waitFor(id);
    assert.equal(record.provider, 'primary');
    primary.failNext('permanent');
    const second = await harness.send({ channel: 'whatsapp' });
    assert.equal(
      (await harness.waitFor(second)).status,
      'failed',
      'the sms-only backup is not tried for whatsapp',
    );
  });
});

describe('a provider that answers 429', () => {
  const redis = useRedis();
  let limited: ScriptedProvider;
  let other: ScriptedProvider;
  let harness: WorkerHarness;
  before(async () => {
    limited = scriptedProvider('limited', ['sms']);
    other = scriptedProvider('other', ['whatsapp']);
    harness = await startWorkerHarness({ redisUrl: redis.url, providers: [limited, other] });
    redis.defer(() => harness.close());
  });

  it('slows only itself: messages for other providers keep going out during its pause', async () => {
    limited.failNext('rate_limited', { retryAfterSeconds: 2 });
    const held = await harness.send({ channel: 'sms' });
    await harness.waitFor(held, ['sending']);
    const started = Date.now();
    const free = await harness.send({ channel: 'whatsapp' });
    assert.equal((await harness.waitFor(free)).status, 'sent');
    assert.ok(Date.now() - started < 1500, 'the other provider did not wait for the pause');
    const record = await harness.waitFor(held, undefined, 10_000);
    assert.equal(record.status, 'sent');
    assert.equal(record.provider, 'limited');
    const [first, second] = limited.calls.filter((c) => c.messageId === held);
    assert.ok(second!.at - first!.at >= 1900, 'the limited provider was retried after its hint');
  });

  it('holds back its next messages too, without calling it during the pause', async () => {
    limited.failNext('rate_limited', { retryAfterSeconds: 1 });
    const first = await harness.send({ channel: 'sms' });
    await harness.waitFor(first, ['sending']);
    const second = await harness.send({ channel: 'sms' });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(
      limited.calls.filter((c) => c.messageId === second).length,
      0,
      'not called while paused',
    );
    assert.equal((await harness.waitFor(second, undefined, 10_000)).status, 'sent');
    assert.equal((await harness.waitFor(first, undefined, 10_000)).status, 'sent');
  });
});
