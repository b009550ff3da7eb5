import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { routeFor } from './delivery/routing.js';
import { authenticate } from './http/auth.middleware.js';
import { IdempotencyKeys } from './messages/idempotency.js';
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
  const { config, redis, store, stats, queue, providers, logger, providerContext } = deps;
  const auth = authenticate(config.auth);
  const app = createApp({
    config,
    redis,
    store,
    stats,
    queue,
    providers,
    logger,
    route: (to, channel) => routeFor(config.routes, to, config.providers, channel),
    emailFrom: config.emailFrom,
    prices: config.priceTable,
    metrics: createMetrics(deps),
    idempotency: new IdempotencyKeys(redis, config.queuePrefix),
    receipts: createReceiptHandlers(providerContext),
    providerRoutes: createProviderRoutes(providerContext, auth),
    auth,
    workerRunning: async () => (await queue.queue.getWorkersCount()) > 0,
  });
  const server = app.listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return { url: `http://${host}:${port}`, close: () => closeServer(server) };
}

async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
}
