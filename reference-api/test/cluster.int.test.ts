// The send pipeline on a real Redis Cluster (3 masters, 3 replicas) with QUEUE_SHARDS=3: the API
// in this process, workers as processes of their own, as in production.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@sms-mfa/common/logger';
import { masters, openRedis, type RedisClient } from '@sms-mfa/common/redis-client';
import { startRedisCluster, type RedisCluster } from '@sms-mfa/tests/support/redis-cluster';
import { loadConfig } from '../src/config.js';
import { QueueShards } from '../src/delivery/queue-shards.js';
import { MessageStore } from '../src/messages/message-store.js';
import { startReferenceApi, type RunningService } from '../src/service.js';
import { eventually, postJson } from './support/api-harness.js';
import { scratchDir } from './support/worker-harness.js';
import { spawnService, untilStatus, type ServiceProcess } from './support/worker-process.js';

interface Status {
  id: string;
  status: string;
  providerMessageId?: string;
}

describe('the send pipeline on a Redis Cluster with three queue shards', () => {
  let cluster: RedisCluster;
  let client: RedisClient;
  let api: RunningService;
  let url: string;
  let env: Record<string, string>;
  const workers: ServiceProcess[] = [];

  before(async () => {
    cluster = await startRedisCluster();
    env = {
      REDIS_CLUSTER_NODES: cluster.seeds,
      QUEUE_SHARDS: '3',
      DATA_DIR: scratchDir(),
      PROVIDERS: 'outbox',
      RETRY_BASE_DELAY_MS: '20',
      WORKER_LOCK_DURATION_MS: '2000',
      WORKER_STALLED_INTERVAL_MS: '1000',
      LOG_LEVEL: 'info',
    };
    const config = loadConfig({ ...env, REFERENCE_API_PORT: '0' });
    api = await startReferenceApi(config, { role: 'api', logger: createLogger('test', 'silent') });
    url = api.url!;
    client = openRedis(config.redis, { maxRetriesPerRequest: 1 });
  });

  after(async () => {
    for (const w of workers) {
      w.child.kill('SIGKILL');
    }
    await api?.close();
    client?.disconnect();
    await cluster?.stop();
  });

  async function startWorker(extra: Record<string, string> = {}): Promise<ServiceProcess> {
    const worker = await spawnService('worker', { ...env, ...extra });
    workers.push(worker);
    return worker;
  }
  const status = async (id: string) =>
    (await (await fetch(`${url}/v1/messages/${id}`)).json()) as Status;
  const sent = (id: string, timeoutMs = 10_000) =>
    eventually(async () => {
      const r = await status(id);
      return r.status === 'sent' ? r : undefined;
    }, timeoutMs);
  const outboxFor = async (id: string) =>
    (await client.lrange('{smsmfa}:outbox', 0, -1)).filter((e) => JSON.parse(e).messageId === id);
  /** Queues a code for the test number; a refusal fails the test with what the API answered. */
  const send = async (code: string, headers: Record<string, string> = {}) => {
    const answer = await postJson(`${url}/v1/messages`, { to: '+5511966191717', code }, headers);
    assert.ok(
      [200, 202].includes(answer.status),
      `the API answered ${answer.status} ${JSON.stringify(answer.body)}`,
    );
    return answer;
  };

  it('accepts messages on both routes and delivers them through the outbox', async () => {
    const worker = await startWorker();
    const v1 = await send('123456');
    const legacy = await postJson(`${url}/api/sms`, { mobile: '+5511966191717', totp: '654321' });
    assert.equal(v1.status, 202);
    assert.equal(legacy.status, 202);
    for (const id of [v1.body.id as string, legacy.body.id as string]) {
      assert.equal((await sent(id)).status, 'sent');
      assert.equal((await outboxFor(id)).length, 1);
    }
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0);
  });

  it('spreads messages over more than one shard, and the queue depth counts every shard', async () => {
    const ids = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => (await send(`70000${i}`)).body.id as string),
    );
    const records = (
      await Promise.all(masters(client).map((m) => m.keys('{smsmfa:*}:msg:*')))
    ).flat();
    const shardsUsed = new Set(
      ids.map((id) => records.find((k) => k.endsWith(`:msg:${id}`))?.split(':msg:')[0]),
    );
    assert.ok(!shardsUsed.has(undefined), 'every message has its record');
    assert.ok(shardsUsed.size > 1, `all on ${[...shardsUsed].join(', ')}`);
    const waiting = await Promise.all(
      ['{smsmfa:0}', '{smsmfa:1}', '{smsmfa:2}'].map((p) => client.llen(`${p}:sms-send:wait`)),
    );
    assert.equal(
      waiting.reduce((a, b) => a + b, 0),
      12,
    );
    assert.ok(waiting.filter((n) => n > 0).length > 1, `jobs waiting per shard: ${waiting}`);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /^sms_queue_jobs\{state="waiting"\} 12$/m, 'depth sums the shards');
    const worker = await startWorker();
    for (const id of ids) {
      await sent(id);
    }
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0);
  });

  it('gives the same message back for the same Idempotency-Key, and delivers it once', async () => {
    const worker = await startWorker();
    const key = { 'idempotency-key': `cluster-${Date.now()}` };
    const first = await send('246802', key);
    const again = await send('246802', key);
    assert.equal(first.status, 202);
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.body.id, first.body.id);
    await sent(first.body.id);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await outboxFor(first.body.id)).length, 1);
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0);
  });

  it('finds a sent message by its provider id, as a delivery receipt does, and records the receipt', async () => {
    const worker = await startWorker();
    const { body } = await send('135791');
    const record = await untilStatus(() => status(body.id), 'sent', [worker]);
    const store = new MessageStore(client, new QueueShards('{smsmfa}', 3), 3600);
    // The index may sit on another master than the record (another shard), written in the same
    // moment, so the record can read as sent a moment before it; a receipt comes later than that.
    const found = await eventually(
      () => store.findByProviderId('outbox', record.providerMessageId!),
      5000,
    ).catch(() => undefined);
    assert.equal(
      found,
      body.id,
      `no index for provider id ${record.providerMessageId}; the worker logged:\n${worker.output()}`,
    );
    assert.equal(await store.apply(body.id, 'delivered'), 'applied');
    assert.equal((await status(body.id)).status, 'delivered');
    worker.child.kill('SIGTERM');
    assert.equal(await worker.exited, 0);
  });

  it('acknowledges a message once a replica holds it, with REDIS_WAIT_REPLICAS=1, counting no short wait', async () => {
    const config = loadConfig({ ...env, REFERENCE_API_PORT: '0', REDIS_WAIT_REPLICAS: '1' });
    const waiting = await startReferenceApi(config, {
      role: 'api',
      logger: createLogger('test', 'silent'),
    });
    try {
      for (let i = 0; i < 6; i++) {
        const res = await postJson(`${waiting.url}/v1/messages`, {
          to: '+5511966191717',
          code: `40${i}1`,
        });
        assert.equal(res.status, 202, JSON.stringify(res.body));
      }
      const metrics = await (await fetch(`${waiting.url}/metrics`)).text();
      assert.doesNotMatch(metrics, /^redis_wait_replicas_short_total\{.*\} [1-9]/m);
    } finally {
      await waiting.close();
    }
  });

  it('loses nothing when a worker is killed with SIGKILL mid-send: another worker picks the job up', async () => {
    // Queued first and sent for 4 s, so the test sees it in flight however slow the 202 was.
    const { body } = await send('112233');
    const doomed = await startWorker({ OUTBOX_DELAY_MS: '4000' });
    await untilStatus(() => status(body.id), 'sending', [doomed]);
    doomed.child.kill('SIGKILL');
    assert.equal(await doomed.exited, 'SIGKILL');
    const rescuer = await startWorker();
    await untilStatus(() => status(body.id), 'sent', [doomed, rescuer], 20_000);
    assert.equal((await outboxFor(body.id)).length, 1, 'delivered exactly once');
    assert.doesNotMatch(doomed.output() + rescuer.output(), /112233|5511966191717/);
    rescuer.child.kill('SIGTERM');
    assert.equal(await rescuer.exited, 0);
  });
});
