// The spend by country: the accept path knows the number's country and hands it to the worker in
// the job, so the worker does not parse the number again; a job queued before the job carried it
// (an upgrade with messages still queued) is counted under its country all the same.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { scriptedProvider } from './fakes/scripted.provider.js';
import { startWorkerHarness, type WorkerHarness } from './support/worker-harness.js';

describe('the spend of a send, by the country of its number', () => {
  const redis = useRedis();
  let harness: WorkerHarness;
  before(async () => {
    harness = await startWorkerHarness({
      redisUrl: redis.url,
      providers: [scriptedProvider('scripted')],
    });
    redis.defer(() => harness.close());
  });

  const unpricedIn = async (country: string) => {
    await harness.spend.flush();
    const series = await harness.spend.unpricedSends();
    return series.find((s) => s.application === 'shop' && s.country === country)?.value ?? 0;
  };

  it('counts a send to a British number under GB and one to a Brazilian number under BR', async () => {
    const [gb, br] = [await unpricedIn('GB'), await unpricedIn('BR')];
    const ids = await Promise.all([
      harness.send({ to: '+44 7400 123456', account: 'shop' }),
      harness.send({ to: '+5511966191717', account: 'shop' }),
    ]);
    await Promise.all(ids.map((id) => harness.waitFor(id, ['sent'])));
    assert.equal(await unpricedIn('GB'), gb + 1);
    assert.equal(await unpricedIn('BR'), br + 1);
  });

  it('counts a message queued before the job carried its country under its number’s country', async () => {
    const before = await unpricedIn('BR');
    const id = randomUUID();
    const expiresAt = new Date(Date.now() + 300_000);
    await harness.store.create({
      id,
      channel: 'sms',
      to: '+5511966191717',
      clientRef: undefined,
      createdAt: new Date(),
      expiresAt,
    });
    // The content an earlier release sealed: no country in it.
    const earlier = {
      to: '+5511966191717',
      text: 'Your code is 123456',
      code: '123456',
      channel: 'sms' as const,
      locale: undefined,
      clientRef: undefined,
      account: 'shop',
    };
    await harness.queue.add(id, earlier, ['scripted'], expiresAt);
    await harness.waitFor(id, ['sent']);
    assert.equal(await unpricedIn('BR'), before + 1);
  });
});
