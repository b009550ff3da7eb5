import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { routeFor } from './delivery/routing.js';
import { authenticate } from './http/auth.middleware.js';
import type { AcceptDeps } from './messages/accept-message.js';
import type { MessageStore } from './messages/message-store.js';
import { IdempotencyKeys } from './messages/idempotency.js';
import { MessageReplicaWaits } from './messages/replica-waits.js';
import { createMetrics } from './metrics/metrics.js';
import { createProviderRoutes, createReceiptHandlers } from './providers/registry.js';
import type { SharedDeps } from './shared-deps.js';

/** The HTTP API of a process, listening. */
export interface RunningApi {
  /** http://host:port where it listens. */
  readonly url: string;
  /** Stops taking connections and ends the open ones. */
  close(): Promise<void>;
}

/** Builds the Express app over the shared dependencies and listens on `config.host:config.port`. */
export async function startApi(deps: SharedDeps): Promise<RunningApi> {
  const { config, redis, stats, queue, providerContext } = deps;
  const auth = authenticate(config.auth);
  const metrics = createMetrics(deps);
  const app = createApp({
    config,
    redis,
    stats,
    ...acceptDeps(deps, (connection) => metrics.replicaWaitsShort.inc({ connection })),
    metrics,
    receipts: createReceiptHandlers(providerContext),
    providerRoutes: createProviderRoutes(providerContext, auth),
    auth,
    workerRunning: async () => (await queue.workersCount()) > 0,
  });
  const server = app.listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return { url: `http://${host}:${port}`, close: () => closeServer(server) };
}

/**
 * What accepting a message needs over a process's shared dependencies: the API's routes and the
 * bridge's direct queue (REFERENCE_API_DIRECT_QUEUE) accept alike. `onShort` counts short replica waits.
 */
export function acceptDeps(
  deps: SharedDeps,
  onShort: (connection: string) => void,
): AcceptDeps & { store: MessageStore } {
  const { config } = deps;
  return {
    store: deps.store,
    queue: deps.queue,
    providers: deps.providers,
    logger: deps.logger,
    route: (to, channel) => routeFor(config.routes, to, config.providers, channel),
    emailFrom: config.emailFrom,
    prices: config.priceTable,
    shards: deps.shards,
    idempotency: new IdempotencyKeys(deps.redis, deps.shards),
    replicaWaits: replicaWaits(deps, onShort),
  };
}

/** REDIS_WAIT_REPLICAS > 0: WAIT on the queue's connection (the job) and the main one (the record). */
function replicaWaits(
  deps: SharedDeps,
  onShort: (connection: string) => void,
): MessageReplicaWaits | undefined {
  const { redisSettings, queue, redis, store, logger } = deps;
  if (redisSettings.waitReplicas <= 0) {
    return undefined;
  }
  return new MessageReplicaWaits(
    [
      { name: 'queue', client: queue.connection, keyOf: (id) => queue.jobKey(id) },
      { name: 'records', client: redis, keyOf: (id) => store.key(id) },
    ],
    {
      replicas: redisSettings.waitReplicas,
      timeoutMs: redisSettings.waitTimeoutMs,
      logger,
      onShort,
    },
  );
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
}
