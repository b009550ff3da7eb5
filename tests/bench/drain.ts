import { randomBytes, randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { Queue, Worker, type Processor } from 'bullmq';
import { Redis } from 'ioredis';
import { createLogger } from '@sms-mfa/common/logger';
import { loadConfig } from '@sms-mfa/reference-api/config';
import { MessageStore } from '@sms-mfa/reference-api/messages/message-store';
import { SendStats } from '@sms-mfa/reference-api/metrics/send-stats';
import { SpendStats } from '@sms-mfa/reference-api/metrics/spend-stats';
import { ProviderPauses } from '@sms-mfa/reference-api/delivery/provider-pause';
import { CircuitBreakers } from '@sms-mfa/reference-api/delivery/circuit-breaker';
import { createProviders } from '@sms-mfa/reference-api/providers/registry';
import { SendQueue } from '@sms-mfa/reference-api/delivery/send.queue';
import { createSendWorker } from '@sms-mfa/reference-api/delivery/send.worker';
import { startProcess, type Started } from '../support/processes.js';
import { cpuMsOf, redisPidOf } from './process-cpu.js';

const CONCURRENCY = 32;
const ACCOUNT_SID = `AC${'b'.repeat(32)}`;
const AUTH_TOKEN = 'bench-token';
const TO = '+5511966191717';
const TEXT = 'Your code is 123456';

/** One drain: how fast, and how much CPU each job cost this process and redis-server. */
export interface DrainFigures { perSecond: number; seconds: number; cpuMicrosPerJob: number; redisCpuMicrosPerJob: number }

let redisPid = 0;

/** A floor drain and ours, run one after the other. */
export interface DrainRound { floor: DrainFigures; worker: DrainFigures; share: number }

/** The drains of one run, each kind measured after a warm-up of its own. */
export interface DrainResults {
  /** BullMQ with a no-op processor: the ceiling the issue's target is set against. */
  raw: DrainFigures;
  /** BullMQ whose processor makes the same Twilio POST over keep-alive node:http and nothing else (the median round's). */
  floor: DrainFigures;
  /** Our worker: sealed jobs, status records, breakers, pauses, metrics, the Twilio adapter (the median round's). */
  worker: DrainFigures;
  /** Every round, in the order run: a single drain's share of the floor swings by 20 points here. */
  rounds: DrainRound[];
}

/** BENCH_DRAIN_ROUNDS: how many floor-then-ours pairs a run drains; the report gives the median pair. */
const ROUNDS = Math.max(1, Number(process.env['BENCH_DRAIN_ROUNDS'] ?? 5));

/**
 * Sends per second of our worker (to the Twilio fake over HTTP), beside BullMQ with a no-op processor and
 * BullMQ with nothing but the same HTTP POST (the least any worker that sends over HTTP can cost).
 */
export async function measureDrain(redisUrl: string, jobs: number): Promise<DrainResults> {
  const fake = await startProcess('tests/bench/fake-twilio.server.ts');
  redisPid = await redisPidOf(redisUrl);
  try {
    const warmUp = Math.min(1000, jobs);
    await rawBullmq(redisUrl, warmUp, async () => 'ok');
    const raw = await rawBullmq(redisUrl, jobs, async () => 'ok');
    const post = barePost(fake);
    await rawBullmq(redisUrl, warmUp, post);
    await ourWorker(redisUrl, fake, warmUp);
    // Pairs, each drained back to back, so a pair shares the machine's moment; the median pair by
    // share is reported, with every pair beside it.
    const rounds: DrainRound[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const floor = await rawBullmq(redisUrl, jobs, post);
      const worker = await ourWorker(redisUrl, fake, jobs);
      rounds.push({ floor, worker, share: worker.perSecond / floor.perSecond });
    }
    const median = [...rounds].sort((a, b) => a.share - b.share)[Math.floor(rounds.length / 2)]!;
    return { raw, floor: median.floor, worker: median.worker, rounds };
  } finally {
    await fake.stop();
  }
}

/** Runs until `jobs` jobs have ended, timing from `started` and counting this process's CPU. */
function timeDrain(worker: Worker, jobs: number, started = performance.now()): Promise<DrainFigures> {
  const cpu = process.cpuUsage();
  const redisCpuMs = cpuMsOf(redisPid);
  let done = 0;
  return new Promise((resolve) => {
    const end = () => {
      if (++done < jobs) {return;}
      const seconds = (performance.now() - started) / 1000;
      const used = process.cpuUsage(cpu);
      const redisCpuMicrosPerJob = ((cpuMsOf(redisPid) - redisCpuMs) * 1000) / jobs;
      resolve({ perSecond: jobs / seconds, seconds, cpuMicrosPerJob: (used.user + used.system) / jobs, redisCpuMicrosPerJob });
    };
    worker.on('completed', end);
    worker.on('failed', end);
    if (!worker.isRunning()) {worker.run().catch(() => undefined);}
  });
}

async function rawBullmq(redisUrl: string, jobs: number, processor: Processor): Promise<DrainFigures> {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const name = `raw-${randomUUID()}`;
  const queue = new Queue(name, { connection, prefix: '{bench}' });
  await queue.addBulk(Array.from({ length: jobs }, (_, i) => ({ name: 'noop', data: { i }, opts: { jobId: `raw-${randomUUID()}`, removeOnComplete: true } })));
  const worker = new Worker(name, processor, { connection, prefix: '{bench}', concurrency: CONCURRENCY, autorun: false });
  const figures = await timeDrain(worker, jobs);
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return figures;
}

/** The Twilio Create Message POST our adapter makes, on a bare keep-alive node:http client. */
function barePost(fake: Started): () => Promise<string> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const authorization = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
  const body = new URLSearchParams({ To: TO, From: '+15005550006', Body: TEXT, ValidityPeriod: '300' }).toString();
  const options = {
    host: '127.0.0.1', port: fake.port, method: 'POST', agent, path: `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`,
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
  };
  return () => new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => (res.statusCode === 201 ? resolve((JSON.parse(text) as { sid: string }).sid) : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function ourWorker(redisUrl: string, fake: Started, jobs: number): Promise<DrainFigures> {
  const config = loadConfig({
    REDIS_URL: redisUrl, PROVIDERS: process.env['BENCH_PROVIDER'] ?? 'twilio', TWILIO_BASE_URL: `http://127.0.0.1:${fake.port}`,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: '+15005550006', QUEUE_PREFIX: `{benchsms-${randomUUID()}}`,
  });
  const redis = new Redis(redisUrl, { enableAutoPipelining: true });
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const logger = createLogger('bench', 'silent');
  const key = randomBytes(32);
  const store = new MessageStore(redis, config.queuePrefix, 3600);
  const queueConnection = new Redis(redisUrl);
  const queue = new SendQueue(queueConnection, config.queuePrefix, key, 3);
  const expiresAt = new Date(Date.now() + 600_000);
  for (let i = 0; i < jobs; i++) {
    const id = randomUUID();
    await store.create({ id, channel: 'sms', to: TO, clientRef: undefined, createdAt: new Date(), expiresAt });
    await queue.add(id, { to: TO, text: TEXT, code: '123456', channel: 'sms', locale: undefined, clientRef: undefined }, [config.providers[0]!], expiresAt);
  }
  const providers = createProviders({ config, redis, logger, webhookUrl: () => undefined });
  const started = performance.now();
  const worker = createSendWorker({
    connection, prefix: config.queuePrefix, key, providers: new Map(providers.map((p) => [p.id, p])), store,
    pauses: new ProviderPauses(redis, config.queuePrefix),
    breakers: new CircuitBreakers(redis, config.queuePrefix, config.breaker), stats: new SendStats(redis, config.queuePrefix),
    spend: new SpendStats(redis, config.queuePrefix), prices: config.priceTable, logger,
    concurrency: CONCURRENCY, attemptsPerProvider: 3, retryBaseDelayMs: 100, providerTimeoutMs: 10_000, lockDurationMs: 30_000, stalledIntervalMs: 30_000,
  });
  const figures = await timeDrain(worker, jobs, started);
  await worker.close();
  await queue.queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  queueConnection.disconnect();
  redis.disconnect();
  return figures;
}
