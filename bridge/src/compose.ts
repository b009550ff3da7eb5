import { openRedis, type RedisClient } from '@sms-mfa/common/redis-client';
import type { RedisOptions } from 'ioredis';
import { logRedisTrouble, untilRedisReady } from '@sms-mfa/common/redis-start';
import type { Registry } from 'prom-client';
import type { Logger } from '@sms-mfa/common/logger';
import { ApplicationStore } from './apps/application-store.js';
import { ensureConfiguredClients } from './apps/configured-clients.js';
import { AuditLog } from './audit/audit-log.js';
import { BudgetGuard } from './budget/budget-guard.js';
import { createBudgetMetrics, registerBudgetGauges } from './budget/budget-metrics.js';
import { SpendLedger } from './budget/spend-ledger.js';
import type { BridgeConfig } from './config.js';
import { createAuth, tokenVerifier, type RequireScope } from './http/auth.middleware.js';
import { SigningKeys } from './issuer/keys.js';
import { DEFAULT_AUDIENCE, type IssuerSettings } from './issuer/token.js';
import { openMessageSender } from './messaging/message-sender.js';
import type { MessageSender } from './messaging/reference-api-client.js';
import { createMetrics, type BridgeMetrics } from './metrics/metrics.js';
import { CodeSealer } from './otp/code.js';
import type { OtpDeps } from './otp/otp-deps.js';
import { moveLegacyKeys } from './otp/key-migration.js';
import { createOtpMetrics } from './otp/otp-metrics.js';
import { RedisCodeStore, VARIADIC_KEY_COMMANDS } from './otp/redis-code-store.js';
import { ReplicaWait } from './otp/replica-wait.js';
import { PrefixGuard } from './pumping/prefix-guard.js';
import { ClientAuthFailures, RateLimits } from './ratelimit/rate-limits.js';
import { RedisDeviceStore } from './totp/redis-device-store.js';
import { loadOrCreateServerSecret } from './server-secret.js';

/** Every dependency of the bridge's routers, each built once by {@link composeBridge}. */
export interface BridgeDeps {
  readonly config: Readonly<BridgeConfig>;
  readonly logger: Logger;
  /** The one RedisClient connection: every store, limiter and the audit log share it. */
  readonly redis: RedisClient;
  /** BRIDGE_SECRET, or the embedded default's generated one: keys code HMACs. */
  readonly serverSecret: Buffer;
  readonly apps: ApplicationStore;
  /** The embedded issuer's keys; undefined with OIDC_ISSUER_URL. */
  readonly keys: SigningKeys | undefined;
  readonly requireScope: RequireScope;
  /** Failed client authentications per address, counted by both token endpoints. */
  readonly clientAuthFailures: ClientAuthFailures;
  readonly metrics: BridgeMetrics;
  /**
   * The code engine's: one code store, one set of limits, one audit log and one reference-API
   * client (with its token cache), shared by the CIAM API and the hosted pages.
   */
  readonly otp: OtpDeps;
}

/** What the root is built from beyond the config. */
export interface ComposeOptions {
  readonly logger: Logger;
  /** The clock of the code engine and the audit log, ms since the epoch; tests move their own. */
  readonly now: () => number;
}

/** The bridge's composition root: connects to RedisClient and builds each dependency exactly once. */
export async function composeBridge(
  config: Readonly<BridgeConfig>,
  options: ComposeOptions,
): Promise<BridgeDeps> {
  const redis = await connectRedis(config, options.logger);
  try {
    return await buildDeps(config, redis, options);
  } catch (err) {
    redis.disconnect();
    throw err;
  }
}

async function buildDeps(
  config: Readonly<BridgeConfig>,
  redis: RedisClient,
  { logger, now }: ComposeOptions,
): Promise<BridgeDeps> {
  const serverSecret = serverSecretOf(config, logger);
  const moved = await moveLegacyKeys(redis, config.keyPrefix);
  if (moved > 0) {
    logger.info('moved records to the cluster-ready key layout', { moved });
  }
  await new AuditLog(redis, config.keyPrefix).trimLegacy();
  const apps = await applicationStore(config, redis, logger, serverSecret);
  const metrics = createMetrics();
  const keys = await signingKeys(config, redis, serverSecret);
  const { requireScope } = createAuth({
    verifier: tokenVerifier(config.issuer, keys),
    apps,
    realm: config.issuer.realm,
    logger,
  });
  const sender = await openMessageSender(config.referenceApi, logger);
  const { registry } = metrics;
  const ledger = new SpendLedger(redis, config.keyPrefix);
  registerBudgetGauges(registry, { apps, ledger, now });
  return {
    config,
    logger,
    redis,
    serverSecret,
    apps,
    keys,
    requireScope,
    clientAuthFailures: new ClientAuthFailures(redis, config.keyPrefix, config.rateLimits),
    metrics,
    otp: createOtpDeps({ redis, config, logger, serverSecret, sender, registry, now }),
  };
}

/** What the code engine is built from: the sender is the reference-API client, or a test's fake. */
export interface OtpParts {
  readonly redis: RedisClient;
  readonly config: Pick<BridgeConfig, 'keyPrefix' | 'rateLimits' | 'pumping' | 'redis'>;
  readonly logger: Logger;
  readonly serverSecret: Buffer;
  readonly sender: MessageSender;
  /** Where the code counters go; none counts nothing. */
  readonly registry?: Registry | undefined;
  readonly now: () => number;
}

/** The code use cases' dependencies over one RedisClient connection. */
export function createOtpDeps(parts: OtpParts): OtpDeps {
  const { redis, config } = parts;
  const audit = new AuditLog(redis, config.keyPrefix, parts.now);
  const ledger = new SpendLedger(redis, config.keyPrefix);
  const budgetMetrics = createBudgetMetrics(parts.registry);
  return {
    store: new RedisCodeStore(redis, config.keyPrefix),
    devices: new RedisDeviceStore(redis, config.keyPrefix),
    limits: new RateLimits(redis, config.keyPrefix, config.rateLimits),
    pumping: new PrefixGuard(redis, config.keyPrefix, config.pumping, parts.registry),
    budget: new BudgetGuard(ledger, audit, parts.logger, budgetMetrics),
    sender: parts.sender,
    audit,
    metrics: createOtpMetrics(parts.registry),
    replicas: new ReplicaWait(redis, config.keyPrefix, config.redis, parts.logger, parts.registry),
    logger: parts.logger,
    serverSecret: parts.serverSecret,
    sealer: new CodeSealer(parts.serverSecret),
    now: parts.now,
  };
}

/** What embedded tokens carry: `iss` {publicUrl}/realms/{realm}, `aud`, lifetime. */
export function issuerSettings(config: Pick<BridgeConfig, 'issuer'>): IssuerSettings {
  return {
    issuerUrl: config.issuer.url,
    audience: config.issuer.audience ?? DEFAULT_AUDIENCE,
    ttlSeconds: config.issuer.tokenTtlSeconds,
  };
}

/** How the bridge talks to Redis (ioredis options). */
export const BRIDGE_REDIS_OPTIONS: Readonly<RedisOptions> = {
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  // Auto-pipelining: the commands of concurrent requests leave in one write, not one syscall each.
  enableAutoPipelining: true,
  // ioredis groups an auto-pipelined command by its first argument, which for a script whose
  // key count varies is that count, not a key: on a cluster such a pipeline would span slots
  autoPipeliningIgnoredCommands: [...VARIADIC_KEY_COMMANDS],
};

async function connectRedis(config: Readonly<BridgeConfig>, logger: Logger): Promise<RedisClient> {
  if (!config.redis.url && !config.redis.cluster) {
    throw new TypeError(
      'startBridge: config.redis needs a URL or a cluster (set REDIS_URL or REDIS_CLUSTER_NODES; `npm start` runs a local RedisClient)',
    );
  }
  const redis = openRedis(config.redis, BRIDGE_REDIS_OPTIONS);
  await untilRedisReady(redis, config.redis);
  // Requests fail fast with 503 while RedisClient is away.
  logRedisTrouble(redis, logger, 'redis connection problem');
  return redis;
}

function serverSecretOf(config: Readonly<BridgeConfig>, logger: Logger): Buffer {
  const { secret, generated } = loadOrCreateServerSecret(config.serverSecret, config.dataDir);
  if (generated) {
    logger.warn(
      'BRIDGE_SECRET is not set: generated one under the data directory; set it in production so every instance shares it',
    );
  }
  return secret;
}

async function applicationStore(
  config: Readonly<BridgeConfig>,
  redis: RedisClient,
  logger: Logger,
  serverSecret: Buffer,
): Promise<ApplicationStore> {
  const apps = new ApplicationStore(
    redis,
    config.keyPrefix,
    config.otpDefaults,
    undefined,
    serverSecret,
  );
  for (const app of await ensureConfiguredClients(apps, config)) {
    logger.info('configured application ready', { clientId: app.clientId, scopes: app.scopes });
  }
  return apps;
}

/** The embedded issuer's keys, created on the first start; none when OIDC_ISSUER_URL names the issuer. */
async function signingKeys(
  config: Readonly<BridgeConfig>,
  redis: RedisClient,
  serverSecret: Buffer,
): Promise<SigningKeys | undefined> {
  if (config.issuer.externalUrl) {
    return undefined;
  }
  const keys = new SigningKeys(redis, config.keyPrefix, serverSecret);
  await keys.ensure();
  return keys;
}
