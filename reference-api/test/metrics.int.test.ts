// What /metrics says about trouble, read from Redis at scrape time: a backlog's age, an open
// circuit breaker, a provider paused after a 429. An API process without a worker shows them all.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { loadConfig } from '../src/config.js';
import { CircuitBreakers } from '../src/delivery/circuit-breaker.js';
import { ProviderPauses } from '../src/delivery/provider-pause.js';
import { postJson, startApi } from './support/api-harness.js';

/** The value of a sample line `name{labels} value` (or `name value`), or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

/** A process trusts what it last read of a breaker or a pause for 250 ms. */
const pastBreakerMemory = () => new Promise((r) => setTimeout(r, 300));

describe('the reference API metrics operators alert on', () => {
  const redis = useRedis();
  let url: string;
  const metrics = async () => (await fetch(`${url}/metrics`)).text();

  before(async () => {
    // The API alone: nothing takes jobs off the queue, so a queued message stays waiting.
    const api = await startApi(redis.url, {}, { role: 'api' });
    url = api.url;
    redis.defer(() => api.close());
  });

  it('reports the age of the oldest waiting job, 0 while none waits', async () => {
    assert.equal(sample(await metrics(), 'sms_queue_oldest_waiting_seconds'), 0);
    const queuedAt = Date.now();
    assert.equal(
      (await postJson(`${url}/v1/messages`, { to: '+5511966191717', code: '1234' })).status,
      202,
    );
    await new Promise((r) => setTimeout(r, 120));
    const age = sample(await metrics(), 'sms_queue_oldest_waiting_seconds') ?? -1;
    assert.ok(age >= 0.1 && age <= (Date.now() - queuedAt) / 1000, `age ${age}`);
  });

  it('shows a provider breaker as 0 while closed and 1 once repeated failures open it', async () => {
    const series = 'sms_provider_breaker_open{provider="outbox"}';
    assert.equal(sample(await metrics(), series), 0);
    const config = loadConfig({ ...redis.env, PROVIDERS: 'outbox' });
    const breakers = new CircuitBreakers(redis.client(), config.queuePrefix, config.breaker);
    for (let i = 0; i < config.breaker.threshold; i++) {
      await breakers.recordFailure('outbox');
    }
    await pastBreakerMemory();
    assert.equal(sample(await metrics(), series), 1);
    await breakers.recordSuccess('outbox');
    await pastBreakerMemory();
    assert.equal(sample(await metrics(), series), 0);
  });

  it('shows a provider as paused while a rate-limit pause is in force', async () => {
    const series = 'sms_provider_paused{provider="outbox"}';
    assert.equal(sample(await metrics(), series), 0);
    const config = loadConfig({ ...redis.env, PROVIDERS: 'outbox' });
    await new ProviderPauses(redis.client(), config.queuePrefix).pause('outbox', 60_000);
    await pastBreakerMemory();
    assert.equal(sample(await metrics(), series), 1);
  });
});
