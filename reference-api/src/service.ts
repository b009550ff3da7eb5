import type { Worker } from 'bullmq';
import { createLogger, type Logger } from '@sms-mfa/common/logger';
import { startApi } from './api.start.js';
import type { ReferenceApiConfig } from './config.js';
import { openSharedDeps } from './shared-deps.js';
import { startWorker } from './worker.start.js';

/** Which parts of the service a process runs. */
export const ROLES = ['api', 'worker', 'all'] as const;
/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number];

/** A running reference API and/or worker. */
export interface RunningService {
  /** http://host:port of the API, when this process serves it. */
  readonly url: string | undefined;
  /** Shard 0's send worker, when this process runs workers. */
  readonly worker: Worker | undefined;
  /** One send worker per queue shard (QUEUE_SHARDS); empty in an API-only process. */
  readonly workers: readonly Worker[];
  readonly logger: Logger;
  /** Graceful stop: no new requests or jobs, in-flight sends finish (bounded), connections close. */
  close(): Promise<void>;
}

/** Options beyond the config, mostly for tests. */
export interface StartOptions {
  readonly role?: Role;
  readonly logger?: Logger;
}

/**
 * The composition root: builds what the roles share once (shared-deps.ts), starts the worker
 * (worker.start.ts) and/or the API (api.start.ts) over it, and stops them in one order.
 */
export async function startReferenceApi(
  config: ReferenceApiConfig,
  options: StartOptions = {},
): Promise<RunningService> {
  const role = options.role ?? 'all';
  const logger = options.logger ?? createLogger('reference-api', config.logLevel);
  const shared = await openSharedDeps(config, logger);
  const worker = role === 'api' ? undefined : await startWorker(shared);
  const api = role === 'worker' ? undefined : await startApi(shared);
  return {
    url: api?.url,
    worker: worker?.worker,
    workers: worker?.workers ?? [],
    logger,
    async close() {
      // Requests first, then the sends in flight, then what they both use.
      await api?.close();
      await worker?.close();
      await shared.close();
    },
  };
}
