import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Worker } from 'bullmq';
import { randomBytes } from 'node:crypto';
import { createLogger } from '@sms-mfa/common/logger';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import { openTarget } from '@sms-mfa/tests/support/redis-target';
import { acceptMessage, type AcceptDeps } from '../../src/messages/accept-message.js';
import { IdempotencyKeys } from '../../src/messages/idempotency.js';
import type { MessageInput } from '../../src/messages/message-input.js';
import type { MessageRecord, MessageStatus } from '../../src/messages/message-status.js';
import { MessageStore } from '../../src/messages/message-store.js';
import { SendStats } from '../../src/metrics/send-stats.js';
import { SpendStats } from '../../src/metrics/spend-stats.js';
import type { PriceTable } from '../../src/pricing/price-table.js';
import { ProviderPauses } from '../../src/delivery/provider-pause.js';
import { CircuitBreakers, type BreakerSettings } from '../../src/delivery/circuit-breaker.js';
import type { SmsProvider } from '../../src/providers/sms-provider.js';
import { QueueShards } from '../../src/delivery/queue-shards.js';
import { SendQueue } from '../../src/delivery/send.queue.js';
import { createSendWorker } from '../../src/delivery/send.worker.js';

/** A queue, a worker and a store over a real Redis, with fast retries, for worker-level tests. */
export interface WorkerHarness {
  readonly store: MessageStore;
  readonly queue: SendQueue;
  readonly worker: Worker;
  readonly redis: RedisClient;
  /** The worker's spend counters (flush() writes what it added up so far). */
  readonly spend: SpendStats;
  /** Accepts a message the way the HTTP API does and returns its id. */
  send(input?: Partial<MessageInput>): Promise<string>;
  /** Waits until the message reaches one of `statuses` (default: any final one). */
  waitFor(id: string, statuses?: MessageStatus[], timeoutMs?: number): Promise<MessageRecord>;
  close(): Promise<void>;
}

/** Options for {@link startWorkerHarness}. */
export interface HarnessOptions {
  /** A useRedis() url: one server or a cluster. */
  readonly redisUrl: string;
  readonly providers: SmsProvider[];
  readonly attemptsPerProvider?: number;
  readonly retryBaseDelayMs?: number;
  readonly providerTimeoutMs?: number;
  /** Breaker settings; by default it never opens, so retry tests see every try. */
  readonly breaker?: BreakerSettings;
  /** EMAIL_FROM, for email sends that name no sender. */
  readonly emailFrom?: string;
  /** PRICE_TABLE_FILE's table, if the test prices sends. */
  readonly prices?: PriceTable;
}

const FINAL: MessageStatus[] = ['sent', 'delivered', 'undelivered', 'failed', 'expired'];

/** Starts the harness; close it in `after`. */
export async function startWorkerHarness(options: HarnessOptions): Promise<WorkerHarness> {
  const prefix = `{t${randomBytes(4).toString('hex')}}`;
  const redis = openTarget(options.redisUrl, { maxRetriesPerRequest: 1 });
  const connection = openTarget(options.redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', () => undefined);
  connection.on('error', () => undefined);
  await once(redis, 'ready');
  const logger = createLogger('test', 'silent');
  const key = randomBytes(32);
  const store = new MessageStore(redis, prefix, 3600);
  const stats = new SendStats(redis, prefix);
  const attempts = options.attemptsPerProvider ?? 3;
  const queue = new SendQueue(redis, prefix, key, attempts);
  const spend = new SpendStats(redis, prefix);
  const worker = createSendWorker({
    connection,
    prefix,
    key,
    store,
    stats,
    spend,
    prices: options.prices,
    logger,
    providers: new Map(options.providers.map((p) => [p.id, p])),
    pauses: new ProviderPauses(redis, prefix),
    breakers: new CircuitBreakers(
      redis,
      prefix,
      options.breaker ?? { threshold: 1000, windowSeconds: 60, cooldownSeconds: 30 },
    ),
    concurrency: 4,
    attemptsPerProvider: attempts,
    retryBaseDelayMs: options.retryBaseDelayMs ?? 20,
    providerTimeoutMs: options.providerTimeoutMs ?? 500,
    lockDurationMs: 30_000,
    stalledIntervalMs: 30_000,
  });
  await worker.waitUntilReady();
  const deps: AcceptDeps = {
    store,
    queue,
    shards: new QueueShards(prefix),
    idempotency: new IdempotencyKeys(redis, prefix),
    providers: options.providers,
    route: () => options.providers.map((p) => p.id),
    emailFrom: options.emailFrom ?? 'Acme <no-reply@acme.example>',
    prices: options.prices,
    logger,
  };
  return {
    store,
    queue,
    worker,
    redis,
    spend,
    async send(input = {}) {
      const full: MessageInput = {
        to: '+5511966191717',
        code: '123456',
        text: undefined,
        channel: 'sms',
        locale: undefined,
        ttlSeconds: 300,
        clientRef: undefined,
        email: undefined,
        account: undefined,
        phoneField: 'to',
        ...input,
      };
      return (await acceptMessage(deps, full)).record.id;
    },
    async waitFor(id, statuses = FINAL, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const record = await store.get(id);
        if (record && statuses.includes(record.status)) {
          return record;
        }
        if (Date.now() > deadline) {
          throw new Error(
            `message ${id} is ${record?.status ?? 'missing'}, not ${statuses.join('/')}, after ${timeoutMs} ms`,
          );
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async close() {
      await worker.close();
      await queue.close();
      connection.disconnect();
      redis.disconnect();
    },
  };
}

/** A scratch data directory for a test. */
export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'sms-mfa-'));
}

/**
 * The job of message `id` once the worker has put it back to wait (a provider's pause): a record
 * says 'sending' before the provider answers, so the job may still be active for a moment, and a
 * test that changed it then would race the worker's own update.
 */
export async function delayedJob(harness: WorkerHarness, id: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await harness.queue.queue.getJob(id);
    if (job && (await job.isDelayed())) {
      return job;
    }
    if (Date.now() > deadline) {
      throw new Error(`the job of message ${id} was not delayed within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}
