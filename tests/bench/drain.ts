import { randomBytes, randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createLogger } from '@sms-mfa/common/logger';
import { loadConfig } from '../../reference-api/src/config.js';
import { MessageStore } from '../../reference-api/src/messages/message-store.js';
import { SendStats } from '../../reference-api/src/metrics/send-stats.js';
import { ProviderPauses } from '../../reference-api/src/providers/provider-pause.js';
import { CircuitBreakers } from '../../reference-api/src/providers/circuit-breaker.js';
import { createProviders } from '../../reference-api/src/providers/registry.js';
import { SendQueue } from '../../reference-api/src/queue/send.queue.js';
import { createSendWorker } from '../../reference-api/src/queue/send.worker.js';
import { startProcess } from './processes.js';

const CONCURRENCY = 32;

/** Sends per second of our worker (to the Twilio fake over HTTP) and of BullMQ with a no-op processor. */
export async function measureDrain(redisUrl: string, jobs: number): Promise<{ workerPerSecond: number; rawPerSecond: number; workerSeconds: number; rawSeconds: number }> {
  const raw = await rawBullmq(redisUrl, jobs);
  const ours = await ourWorker(redisUrl, jobs);
  return { workerPerSecond: jobs / ours, rawPerSecond: jobs / raw, workerSeconds: ours, rawSeconds: raw };
}

async function timeDrain(worker: Worker, jobs: number): Promise<number> {
  let done = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    worker.on('completed', () => ++done === jobs && resolve());
    worker.on('failed', () => ++done === jobs && resolve());
    worker.run().catch(() => undefined);
  });
  return (performance.now() - started) / 1000;
}

async function rawBullmq(redisUrl: string, jobs: number): Promise<number> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('raw', { connection, prefix: '{bench}' });
  await queue.addBulk(Array.from({ length: jobs }, (_, i) => ({ name: 'noop', data: { i }, opts: { jobId: `raw-${randomUUID()}`, removeOnComplete: true } })));
  const worker = new Worker('raw', async () => 'ok', { connection, prefix: '{bench}', concurrency: CONCURRENCY, autorun: false });
  const seconds = await timeDrain(worker, jobs);
  await worker.close();
  await queue.close();
  connection.disconnect();
  return seconds;
}

async function ourWorker(redisUrl: string, jobs: number): Promise<number> {
  const fake = await startProcess('tests/bench/fake-twilio.server.ts');
  const config = loadConfig({
    REDIS_URL: redisUrl, PROVIDERS: process.env['BENCH_PROVIDER'] ?? 'twilio', TWILIO_BASE_URL: `http://127.0.0.1:${fake.port}`,
    TWILIO_ACCOUNT_SID: `AC${'b'.repeat(32)}`, TWILIO_AUTH_TOKEN: 'bench-token', TWILIO_FROM: '+15005550006', QUEUE_PREFIX: '{benchsms}',
  });
  const redis = new Redis(redisUrl, { enableAutoPipelining: true });
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const logger = createLogger('bench', 'silent');
  const key = randomBytes(32);
  const store = new MessageStore(redis, config.queuePrefix, 3600);
  const queueConnection = new Redis(redisUrl);
  const queue = new SendQueue(queueConnection, config.queuePrefix, key, 3);
  for (let i = 0; i < jobs; i++) {
    const id = randomUUID();
    const expiresAt = new Date(Date.now() + 600_000);
    await store.create({ id, channel: 'sms', to: '+5511966191717', clientRef: undefined, createdAt: new Date(), expiresAt });
    await queue.add(id, { to: '+5511966191717', text: 'Your code is 123456', code: '123456', channel: 'sms', locale: undefined, clientRef: undefined }, [config.providers[0]!], expiresAt);
  }
  const providers = createProviders({ config, redis, logger, webhookUrl: () => undefined });
  const started = performance.now();
  const worker = createSendWorker({
    connection, prefix: config.queuePrefix, key, providers: new Map(providers.map((p) => [p.id, p])), store,
    pauses: new ProviderPauses(redis, config.queuePrefix),
    breakers: new CircuitBreakers(redis, config.queuePrefix, config.breaker), stats: new SendStats(redis, config.queuePrefix), logger,
    concurrency: CONCURRENCY, attemptsPerProvider: 3, retryBaseDelayMs: 100, providerTimeoutMs: 10_000, lockDurationMs: 30_000, stalledIntervalMs: 30_000,
  });
  const cpu = process.cpuUsage();
  const seconds = await timeDrainRunning(worker, jobs, started);
  const used = process.cpuUsage(cpu);
  if (process.env['BENCH_DEBUG']) console.error(`worker process CPU: ${((used.user + used.system) / 1e6 / seconds * 100).toFixed(0)}% of one core`);
  await worker.close();
  await queue.close();
  connection.disconnect();
  queueConnection.disconnect();
  redis.disconnect();
  await fake.stop();
  return seconds;
}

/** Like timeDrain, for a worker that was created running (autorun). */
async function timeDrainRunning(worker: Worker, jobs: number, started: number): Promise<number> {
  let done = 0;
  await new Promise<void>((resolve) => {
    worker.on('completed', () => ++done === jobs && resolve());
    worker.on('failed', () => ++done === jobs && resolve());
  });
  return (performance.now() - started) / 1000;
}
