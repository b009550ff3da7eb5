import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import { createLogger, type Logger } from '@sms-mfa/common/logger';
import { createApp } from './app.js';
import type { ApplicationStore } from './apps/application-store.js';
import { composeBridge, type BridgeDeps } from './compose.js';
import type { BridgeConfig } from './config.js';
import type { SigningKeys } from './issuer/keys.js';
import type { MessageSender } from './messaging/reference-api-client.js';

/** Options beyond the config. */
export interface StartBridgeOptions {
  readonly logger?: Logger;
  /** The clock of the code engine and the audit log, ms since the epoch; `Date.now` unless given (tests move their own). */
  readonly now?: () => number;
  /** Mounts the hosted code-entry page (`/verify`) and the demo (`/demo`), as `npm start` does. */
  readonly pages?: boolean;
}

/** A running bridge. */
export interface RunningBridge {
  /** http://host:port it listens on. */
  readonly url: string;
  /** The Express app (tests walk its routes). */
  readonly app: Express;
  readonly logger: Logger;
  readonly redis: RedisClient;
  readonly apps: ApplicationStore;
  /** The embedded issuer's keys; undefined with OIDC_ISSUER_URL. */
  readonly keys: SigningKeys | undefined;
  /** Everything its routers were built from, each built once. */
  readonly context: BridgeDeps;
  /** Stops taking requests, lets in-flight ones finish, closes Redis. */
  close(): Promise<void>;
}

/** Starts the bridge against `config.redisUrl` (the launcher starts a local RedisClient on the embedded default). */
export async function startBridge(
  config: Readonly<BridgeConfig>,
  options: StartBridgeOptions = {},
): Promise<RunningBridge> {
  const logger = options.logger ?? createLogger('bridge', config.logLevel);
  const deps = await composeBridge(config, { logger, now: options.now ?? Date.now });
  const { redis } = deps;
  try {
    const app = createApp(deps, { pages: options.pages });
    const server = await listen(config, app);
    return {
      url: serverUrl(config, server),
      app,
      logger,
      redis,
      apps: deps.apps,
      keys: deps.keys,
      context: deps,
      close: () => closeAll(server, redis, deps.otp.sender),
    };
  } catch (err) {
    redis.disconnect();
    throw err;
  }
}

async function listen(config: Readonly<BridgeConfig>, app: Express): Promise<Server> {
  const server = app.listen(config.port, config.host);
  await once(server, 'listening');
  return server;
}

function serverUrl(config: Readonly<BridgeConfig>, server: Server): string {
  const { port } = server.address() as AddressInfo;
  return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
}

async function closeAll(server: Server, redis: RedisClient, sender: MessageSender): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await sender.close?.();
  // quit() fails at once while RedisClient is away; disconnect() then stops the reconnection loop.
  await redis.quit().catch(() => redis.disconnect());
}
