import type { Worker } from 'bullmq';
import type { Logger } from '@sms-mfa/common/logger';
import { createSendWorker } from './delivery/send.worker.js';
import type { SendJobData } from './delivery/send.queue.js';
import { redisConnection, type SharedDeps } from './shared-deps.js';

/** The send worker of a process, running. */
export interface RunningWorker {
  readonly worker: Worker<SendJobData>;
  /** Takes no new jobs, lets in-flight sends finish (up to `config.shutdownTimeoutMs`), disconnects. */
  close(): Promise<void>;
}

/** Starts the send worker over the shared dependencies, on a blocking connection of its own. */
export async function startWorker(deps: SharedDeps): Promise<RunningWorker> {
  const { config, logger, key, store, pauses, breakers, stats, spend } = deps;
  const connection = redisConnection(deps.redisSettings, logger, 'worker redis', {
    maxRetriesPerRequest: null,
  });
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
    prefix: config.queuePrefix,
    providers: new Map(deps.providers.map((p) => [p.id, p])),
    concurrency: config.workerConcurrency,
    attemptsPerProvider: config.providerAttempts,
    retryBaseDelayMs: config.retryBaseDelayMs,
    providerTimeoutMs: config.providerTimeoutMs,
    lockDurationMs: config.workerLockDurationMs,
    stalledIntervalMs: config.workerStalledIntervalMs,
  });
  worker.on('error', (err) => logger.error('worker error', { error: err.message }));
  await worker.waitUntilReady();
  return {
    worker,
    async close() {
      await closeWorker(worker, config.shutdownTimeoutMs, logger);
      await connection.quit().catch(() => undefined);
    },
  };
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
