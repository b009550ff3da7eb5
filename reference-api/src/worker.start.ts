import type { Worker } from 'bullmq';
import type { Logger } from '@sms-mfa/common/logger';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import { createSendWorker } from './delivery/send.worker.js';
import type { SendJobData } from './delivery/send.queue.js';
import { redisConnection, type SharedDeps } from './shared-deps.js';

/** The send workers of a process (one per queue shard), running. */
export interface RunningWorker {
  /** Shard 0's worker: the only one with a single shard. */
  readonly worker: Worker<SendJobData>;
  readonly workers: readonly Worker<SendJobData>[];
  /** Takes no new jobs, lets in-flight sends finish (up to `config.shutdownTimeoutMs`), disconnects. */
  close(): Promise<void>;
}

/** Starts a send worker per shard over the shared dependencies, on a connection of their own. */
export async function startWorker(deps: SharedDeps): Promise<RunningWorker> {
  const { config, logger, shards } = deps;
  // BullMQ gives each worker a blocking connection of its own; this one carries their other commands.
  const connection = redisConnection(deps.redisSettings, logger, 'worker redis', {
    maxRetriesPerRequest: null,
  });
  // WORKER_CONCURRENCY is the process's budget, split evenly (rounded up) over the shards: jobs
  // spread evenly over them (ids are random), so each worker gets its share, and a process never
  // has more than WORKER_CONCURRENCY + shards - 1 sends in flight.
  const concurrency = Math.ceil(config.workerConcurrency / shards.count);
  const workers = shards.prefixes.map((prefix) =>
    shardWorker(deps, connection, prefix, concurrency),
  );
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  return {
    worker: workers[0]!,
    workers,
    close: () => closeWorkers(workers, connection, config.shutdownTimeoutMs, logger),
  };
}

function shardWorker(
  deps: SharedDeps,
  connection: RedisClient,
  prefix: string,
  concurrency: number,
): Worker<SendJobData> {
  const { config, logger, key, store, pauses, breakers, stats, spend } = deps;
  const worker = createSendWorker({
    connection,
    key,
    store,
    pauses,
    breakers,
    stats,
    spend,
    prices: config.priceTable,
    logger,
    prefix,
    providers: new Map(deps.providers.map((p) => [p.id, p])),
    concurrency,
    attemptsPerProvider: config.providerAttempts,
    retryBaseDelayMs: config.retryBaseDelayMs,
    providerTimeoutMs: config.providerTimeoutMs,
    lockDurationMs: config.workerLockDurationMs,
    stalledIntervalMs: config.workerStalledIntervalMs,
  });
  worker.on('error', (err) => logger.error('worker error', { error: err.message }));
  return worker;
}

/**
 * Stops taking jobs and waits up to `timeoutMs` for the sends in flight. BullMQ's close waits
 * for them without a limit, and a later close(true) only returns that same pending close, so past
 * the limit the workers' connections are cut instead: a cut-off job keeps its lock until it
 * expires, then a running worker's stalled check puts it back in the queue and it is sent again.
 */
async function closeWorkers(
  workers: readonly Worker[],
  connection: RedisClient,
  timeoutMs: number,
  logger: Logger,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>(
    (resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)),
  );
  const closing = Promise.all(workers.map((w) => w.close())).then(() => 'closed' as const);
  closing.catch(() => undefined); // after a cut, the pending closes may fail: nothing left to do
  const result = await Promise.race([closing, timedOut]);
  clearTimeout(timer);
  if (result === 'closed') {
    await connection.quit().catch(() => undefined);
    return;
  }
  logger.warn(
    'in-flight sends did not finish in time; their jobs will be picked up again as stalled',
    { timeoutMs },
  );
  await Promise.all(workers.map((w) => w.disconnect().catch(() => undefined)));
  connection.disconnect();
}
