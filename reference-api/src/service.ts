import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createLogger, type Logger } from '@sms-mfa/common/logger';
import { createApp } from './app.js';
import type { ReferenceApiConfig } from './config.js';
import { authenticate } from './http/auth.middleware.js';
import { IdempotencyKeys } from './messages/idempotency.js';
import { MessageStore } from './messages/message-store.js';
import { createMetrics } from './metrics/metrics.js';
import { SendStats } from './metrics/send-stats.js';
import { ProviderPauses } from './delivery/provider-pause.js';
import { unreachableWarnings } from './delivery/reachability.js';
import { CircuitBreakers } from './delivery/circuit-breaker.js';
import { routeFor } from './delivery/routing.js';
import {
  createProviders,
  createReceiptHandlers,
  createProviderRoutes,
  type ProviderContext,
} from './providers/registry.js';
import { loadOrCreateKey } from './delivery/job-crypto.js';
import { SendQueue } from './delivery/send.queue.js';
import { createSendWorker } from './delivery/send.worker.js';

/** Which parts of the service a process runs. */
export const ROLES = ['api', 'worker', 'all'] as const;
/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number];

/** A running reference API and/or worker. */
export interface RunningService {
  /** http://host:port of the API, when this process serves it. */
  readonly url: string | undefined;
  readonly worker: Worker | undefined;
  readonly logger: Logger;
  /** Graceful stop: no new requests or jobs, in-flight sends finish (bounded), connections close. */
  close(): Promise<void>;
}

/** Options beyond the config, mostly for tests. */
export interface StartOptions {
  readonly role?: Role;
  readonly logger?: Logger;
}

/** Starts the API, the worker, or both, against the Redis in `config.redisUrl`. */
export async function startReferenceApi(
  config: ReferenceApiConfig,
  options: StartOptions = {},
): Promise<RunningService> {
  const role = options.role ?? 'all';
  const logger = options.logger ?? createLogger('reference-api', config.logLevel);
  if (!config.redisUrl) {
    throw new TypeError(
      'startReferenceApi: config.redisUrl is required (the launcher starts a local Redis)',
    );
  }
  // Auto-pipelining batches the commands of concurrent requests into one write: fewer syscalls under load.
  const redis = new Redis(config.redisUrl, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
  });
  redis.on('error', (err: Error) => logger.warn('redis connection error', { error: err.message }));
  await once(redis, 'ready');
  const { key, generated } = loadOrCreateKey(
    config.messageEncryptionKey,
    join(config.dataDir, 'message-key'),
  );
  if (generated) {
    logger.warn(
      'MESSAGE_ENCRYPTION_KEY is not set: generated one under the data directory; set it in production so every node shares it',
    );
  }
  const context: ProviderContext = {
    config,
    redis,
    logger,
    webhookUrl: (id) =>
      config.publicBaseUrl
        ? `${config.publicBaseUrl.replace(/\/+$/, '')}/webhooks/${id}`
        : undefined,
  };
  const providers = createProviders(context);
  for (const warning of unreachableWarnings(config, providers)) {
    logger.warn(warning);
  }
  const store = new MessageStore(redis, config.queuePrefix, config.messageRetentionSeconds);
  const stats = new SendStats(redis, config.queuePrefix);
  // BullMQ defines ~50 scripts on the connection it is given, and ioredis copies every defined
  // command into each pipeline it builds: keep the queue off the auto-pipelined connection.
  const queueConnection = new Redis(config.redisUrl, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  queueConnection.on('error', (err: Error) =>
    logger.warn('queue redis connection error', { error: err.message }),
  );
  const queue = new SendQueue(queueConnection, config.queuePrefix, key, config.providerAttempts);
  const closers: (() => Promise<unknown>)[] = [];
  let worker: Worker | undefined;
  if (role !== 'api') {
    const connection = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
    connection.on('error', (err: Error) =>
      logger.warn('worker redis connection error', { error: err.message }),
    );
    worker = createSendWorker({
      connection,
      prefix: config.queuePrefix,
      key,
      providers: new Map(providers.map((p) => [p.id, p])),
      store,
      pauses: new ProviderPauses(redis, config.queuePrefix),
      breakers: new CircuitBreakers(redis, config.queuePrefix, config.breaker),
      stats,
      logger,
      concurrency: config.workerConcurrency,
      attemptsPerProvider: config.providerAttempts,
      retryBaseDelayMs: config.retryBaseDelayMs,
      providerTimeoutMs: config.providerTimeoutMs,
      lockDurationMs: config.workerLockDurationMs,
      stalledIntervalMs: config.workerStalledIntervalMs,
    });
    worker.on('error', (err) => logger.error('worker error', { error: err.message }));
    await worker.waitUntilReady();
    closers.push(
      () => closeWorker(worker!, config.shutdownTimeoutMs, logger),
      () => connection.quit().catch(() => undefined),
    );
  }
  let url: string | undefined;
  if (role !== 'worker') {
    const auth = authenticate(config.auth);
    const metrics = createMetrics(stats, () => queue.depth());
    const app = createApp({
      config,
      redis,
      store,
      stats,
      queue,
      providers,
      route: (e164) => routeFor(config.routes, e164, config.providers),
      logger,
      metrics,
      idempotency: new IdempotencyKeys(redis, config.queuePrefix),
      receipts: createReceiptHandlers(context),
      providerRoutes: createProviderRoutes(context, auth),
      auth,
      workerRunning: async () => (await queue.queue.getWorkersCount()) > 0,
    });
    const server = app.listen(config.port, config.host);
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    closers.unshift(() => closeServer(server));
  }
  closers.push(
    () => stats.flush(),
    () => queue.close(),
    () => queueConnection.quit().catch(() => undefined),
    () => redis.quit().catch(() => undefined),
  );
  return {
    url,
    worker,
    logger,
    async close() {
      for (const close of closers) {
        await close();
      }
    },
  };
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
}

/** worker.close() waits for active jobs without a limit; bound it, then force. */
async function closeWorker(worker: Worker, timeoutMs: number, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>(
    (resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)),
  );
  const result = await Promise.race([worker.close().then(() => 'closed' as const), timedOut]);
  clearTimeout(timer);
  if (result === 'timeout') {
    logger.warn(
      'in-flight sends did not finish in time; their jobs will be picked up again as stalled',
      { timeoutMs },
    );
    await worker.close(true);
  }
}
