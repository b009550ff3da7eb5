import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express, Router } from 'express';
import { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { createLogger, type Logger } from '@sms-mfa/common/logger';
import { createApp } from './app.js';
import { ApplicationStore } from './apps/application-store.js';
import { ensureConfiguredClients } from './apps/configured-clients.js';
import type { BridgeConfig } from './config.js';
import { adminRoutes } from './http/admin.routes.js';
import { createAuth, tokenVerifier, type RequireScope } from './http/auth.middleware.js';
import { deviceAuthRoutes } from './http/deviceauth.routes.js';
import { createMetrics } from './http/health.routes.js';
import { tokenRoutes } from './http/token.routes.js';
import { ClientAuthFailures } from './ratelimit/rate-limits.js';
import { retiredKeyGraceSeconds, SigningKeys } from './issuer/keys.js';
import { DEFAULT_AUDIENCE, type IssuerSettings } from './issuer/token.js';
import { loadOrCreateServerSecret } from './server-secret.js';

/** What a router plugged into the bridge (the CIAM deviceAuthentications API, hosted pages) gets. */
export interface BridgeHookContext {
  readonly redis: Redis;
  readonly config: Readonly<BridgeConfig>;
  readonly apps: ApplicationStore;
  readonly requireScope: RequireScope;
  readonly logger: Logger;
  /** BRIDGE_SECRET, or the embedded default's generated one: keys code HMACs. */
  readonly serverSecret: Buffer;
  /** Register counters here; `/metrics` serves it. */
  readonly registry: Registry;
}

/** Options beyond the config: a logger, and the routers that plug in. */
export interface StartBridgeOptions {
  readonly logger?: Logger;
  /** Builds the CIAM MFA API v2 router; `deviceAuthRoutes` unless given (tests pass their clock). */
  readonly deviceAuth?: (ctx: BridgeHookContext) => Router;
  /** Routers mounted after it (hosted pages). */
  readonly extraRouters?: (ctx: BridgeHookContext) => readonly Router[];
}

/** A running bridge. */
export interface RunningBridge {
  /** http://host:port it listens on. */
  readonly url: string;
  /** The Express app (tests walk its routes). */
  readonly app: Express;
  readonly logger: Logger;
  readonly redis: Redis;
  readonly apps: ApplicationStore;
  /** The embedded issuer's keys; undefined with OIDC_ISSUER_URL. */
  readonly keys: SigningKeys | undefined;
  readonly context: BridgeHookContext;
  /** Stops taking requests, lets in-flight ones finish, closes Redis. */
  close(): Promise<void>;
}

/** Starts the bridge against `config.redisUrl` (the launcher starts a local Redis on the embedded default). */
export async function startBridge(
  config: Readonly<BridgeConfig>,
  options: StartBridgeOptions = {},
): Promise<RunningBridge> {
  const logger = options.logger ?? createLogger('bridge', config.logLevel);
  const redis = await connectRedis(config, logger);
  try {
    const context = await buildContext(config, redis, logger);
    const keys = config.issuer.externalUrl
      ? undefined
      : new SigningKeys(redis, config.keyPrefix, context.serverSecret);
    await keys?.ensure();
    const { requireScope } = createAuth({
      verifier: tokenVerifier(config.issuer, keys),
      apps: context.apps,
      realm: config.issuer.realm,
      logger,
    });
    const ctx: BridgeHookContext = { ...context, requireScope };
    const app = createApp({
      redis,
      logger,
      trustProxy: config.trustProxy,
      metrics: context.metrics,
      tokenRoutes:
        keys &&
        tokenRoutes({
          apps: ctx.apps,
          keys,
          settings: issuerSettings(config),
          realm: config.issuer.realm,
          logger,
          failures: new ClientAuthFailures(redis, config.keyPrefix, config.rateLimits),
        }),
      adminRoutes: adminRoutes({
        apps: ctx.apps,
        requireScope,
        keys,
        keyGraceSeconds: retiredKeyGraceSeconds(config.issuer.tokenTtlSeconds),
      }),
      deviceAuthRoutes: (options.deviceAuth ?? deviceAuthRoutes)(ctx),
      extraRouters: options.extraRouters?.(ctx),
    });
    const server = await listen(config, app);
    return {
      url: serverUrl(config, server),
      app,
      logger,
      redis,
      apps: ctx.apps,
      keys,
      context: ctx,
      close: () => closeAll(server, redis),
    };
  } catch (err) {
    redis.disconnect();
    throw err;
  }
}

/** What embedded tokens carry: `iss` {publicUrl}/realms/{realm}, `aud`, lifetime. */
export function issuerSettings(config: Pick<BridgeConfig, 'issuer'>): IssuerSettings {
  return {
    issuerUrl: config.issuer.url,
    audience: config.issuer.audience ?? DEFAULT_AUDIENCE,
    ttlSeconds: config.issuer.tokenTtlSeconds,
  };
}

async function connectRedis(config: Readonly<BridgeConfig>, logger: Logger): Promise<Redis> {
  if (!config.redisUrl) {
    throw new TypeError(
      'startBridge: config.redisUrl is required (set REDIS_URL; `npm start` runs a local Redis)',
    );
  }
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  try {
    await once(redis, 'ready');
  } catch (err) {
    redis.disconnect();
    throw err;
  }
  // Requests fail fast with 503 while Redis is away; log each new kind of trouble once, not every retry.
  let last = '';
  redis.on('error', (err: Error) => {
    if (err.message !== last) {
      logger.warn('redis connection problem', { error: (last = err.message) });
    }
  });
  redis.on('ready', () => (last = ''));
  return redis;
}

async function buildContext(config: Readonly<BridgeConfig>, redis: Redis, logger: Logger) {
  const { secret, generated } = loadOrCreateServerSecret(config.serverSecret, config.dataDir);
  if (generated) {
    logger.warn(
      'BRIDGE_SECRET is not set: generated one under the data directory; set it in production so every instance shares it',
    );
  }
  const apps = new ApplicationStore(redis, config.keyPrefix, config.otpDefaults);
  for (const app of await ensureConfiguredClients(apps, config)) {
    logger.info('configured application ready', { clientId: app.clientId, scopes: app.scopes });
  }
  const metrics = createMetrics();
  return { redis, config, apps, logger, serverSecret: secret, registry: metrics.registry, metrics };
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

async function closeAll(server: Server, redis: Redis): Promise<void> {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  // quit() fails at once while Redis is away; disconnect() then stops the reconnection loop.
  await redis.quit().catch(() => redis.disconnect());
}
