import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import { deliver, type DeliveryDeps } from './deliver.js';
import { SEND_QUEUE_NAME, type SendJobData } from './send.queue.js';

/** Everything the send worker works with. */
export interface SendWorkerDeps extends DeliveryDeps {
  /** A connection with maxRetriesPerRequest: null, as BullMQ workers require. */
  readonly connection: RedisClient;
  readonly prefix: string;
  readonly concurrency: number;
  readonly retryBaseDelayMs: number;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
}

/** Starts a BullMQ worker that sends queued messages through their provider chain. */
export function createSendWorker(deps: SendWorkerDeps): Worker<SendJobData> {
  return new Worker<SendJobData>(
    SEND_QUEUE_NAME,
    // No child logger per job: the few lines about a job name its ids themselves (jobLogFields).
    (job, token) => processSendJob(job, token, deps),
    {
      connection: deps.connection,
      prefix: deps.prefix,
      concurrency: deps.concurrency,
      lockDuration: deps.lockDurationMs,
      stalledInterval: deps.stalledIntervalMs,
      maxStalledCount: 2,
      settings: {
        backoffStrategy: (_made, _type, _err, job) => backoffDelay(deps, job as Job<SendJobData>),
      },
    },
  );
}

/** Exponential backoff per provider with full jitter: base·2^(n-1)·U(0.5, 1). */
function backoffDelay(deps: SendWorkerDeps, job: Job<SendJobData> | undefined): number {
  const n = Math.max(1, job?.data.providerAttempt ?? 1);
  return Math.round(deps.retryBaseDelayMs * 2 ** (n - 1) * (0.5 + Math.random() * 0.5));
}

/** Runs one job (delivery/deliver.ts decides) and tells BullMQ what becomes of it. */
export async function processSendJob(
  job: Job<SendJobData>,
  token: string | undefined,
  deps: DeliveryDeps,
): Promise<string> {
  const decision = await deliver(job.data, deps);
  switch (decision.kind) {
    case 'done':
      return decision.outcome;
    case 'delay':
      await job.updateData({ ...job.data, ...decision.at });
      await job.moveToDelayed(decision.until, token);
      throw new DelayedError(); // tells BullMQ the job moved on purpose: no attempt spent
    case 'retry':
      await job.updateData({ ...job.data, ...decision.at });
      throw decision.error; // BullMQ retries after backoffDelay
    case 'failed':
      throw new UnrecoverableError(decision.reason); // every provider was tried: no retry
  }
}
