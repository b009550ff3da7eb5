import { z } from 'zod';
import { ConfigError, zodProblems } from '@sms-mfa/common/config-error';
import { deepFreeze } from '@sms-mfa/common/freeze';
import {
  REDIS_ENV,
  REDIS_SECRET_NAMES,
  redisSettings,
  type RedisSettings,
} from '@sms-mfa/common/redis-client';
import { resolveFileSecrets } from '@sms-mfa/common/secrets';
import { trustProxySetting, type TrustProxy } from '@sms-mfa/common/trust-proxy';

import { bool, int, optional, url } from './config-fields.js';
import { readProviderEnv } from './providers/provider-module.js';
import {
  PROVIDER_IDS,
  PROVIDER_MODULES,
  type ProviderId,
  type ProviderSettings,
} from './providers/registry.js';
import { MAX_QUEUE_SHARDS } from './delivery/queue-shards.js';
import { parseRoutes, type Route } from './delivery/routing.js';
import { mailboxSchema } from './messages/email-input.js';
import { readPriceTable, type PriceTable } from './pricing/price-table.js';

export { PROVIDER_IDS, type ProviderId };

// Each provider declares its own secrets (`<id>.config.ts`); these are the service's.
const SECRET_NAMES = [
  'REFERENCE_API_KEY',
  'MESSAGE_ENCRYPTION_KEY',
  ...REDIS_SECRET_NAMES,
  ...PROVIDER_MODULES.flatMap((m) => m.config.secrets),
];

const schema = z.object({
  REFERENCE_API_PORT: int(0, 65535, 3412),
  REFERENCE_API_HOST: z.string().min(1).default('127.0.0.1'),
  ...REDIS_ENV,
  PROVIDERS: z
    .string()
    .default('outbox')
    .transform((s) =>
      s
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(PROVIDER_IDS)).min(1, 'name at least one provider')),
  PROVIDER_ROUTES: z.string().default(''),
  BREAKER_FAILURE_THRESHOLD: int(1, 1000, 5),
  BREAKER_WINDOW_SECONDS: int(1, 3600, 60),
  BREAKER_COOLDOWN_SECONDS: int(1, 3600, 30),
  REFERENCE_API_KEY: z.string().min(16, 'use at least 16 characters').optional(),
  REFERENCE_API_ALLOW_UNAUTHENTICATED: bool.default(false),
  OIDC_ISSUER_URL: url,
  OIDC_AUDIENCE: optional,
  MESSAGE_ENCRYPTION_KEY: z
    .string()
    .regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, 'must be 32 bytes as 64 hex digits or base64')
    .optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  QUEUE_PREFIX: z
    .string()
    .regex(/^\{[A-Za-z0-9_-]+\}$/, 'must be a Redis hash tag such as {smsmfa}')
    .default('{smsmfa}'),
  // the send queue split over this many hash tags, {smsmfa:0}..{smsmfa:N-1} (1: {smsmfa} as before)
  QUEUE_SHARDS: int(1, MAX_QUEUE_SHARDS, 1),
  WORKER_CONCURRENCY: int(1, 1000, 32),
  PROVIDER_ATTEMPTS: int(1, 10, 3),
  RETRY_BASE_DELAY_MS: int(1, 600_000, 1000),
  PROVIDER_TIMEOUT_MS: int(100, 120_000, 10_000),
  SHUTDOWN_TIMEOUT_MS: int(100, 120_000, 10_000),
  WORKER_LOCK_DURATION_MS: int(1000, 600_000, 30_000),
  WORKER_STALLED_INTERVAL_MS: int(500, 600_000, 30_000),
  MESSAGE_RETENTION_SECONDS: int(60, 90 * 86400, 7 * 86400),
  PUBLIC_BASE_URL: url,
  // the sender of emails whose request names none
  EMAIL_FROM: mailboxSchema.optional(),
  // what sends cost when the provider does not say (README: Spend and the price table)
  PRICE_TABLE_FILE: optional,
  // whose X-Forwarded-Proto (and -For, -Host) to believe: none unless behind a reverse proxy
  TRUST_PROXY: trustProxySetting,
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
});

type Env = z.output<typeof schema>;

/** The reference API's configuration, parsed once and frozen. */
export interface ReferenceApiConfig {
  readonly port: number;
  readonly host: string;
  /** REDIS_URL or REDIS_CLUSTER_NODES, and REDIS_WAIT_REPLICAS. */
  readonly redis: RedisSettings;
  /** The default chain (PROVIDERS). */
  readonly providers: readonly ProviderId[];
  /** Chains by number prefix (PROVIDER_ROUTES); numbers no rule matches use `providers`. */
  readonly routes: readonly Route[];
  /** Every provider some chain uses: PROVIDERS and those named in routes. */
  readonly enabledProviders: readonly ProviderId[];
  readonly breaker: {
    readonly threshold: number;
    readonly windowSeconds: number;
    readonly cooldownSeconds: number;
  };
  readonly auth: {
    readonly apiKey: string | undefined;
    readonly oidcIssuerUrl: string | undefined;
    readonly oidcAudience: string | undefined;
    readonly allowUnauthenticated: boolean;
  };
  readonly messageEncryptionKey: Buffer | undefined;
  readonly dataDir: string;
  /** QUEUE_PREFIX: the hash tag of the keys that stay unsharded, and the base of the shards' tags. */
  readonly queuePrefix: string;
  /** QUEUE_SHARDS: how many send queues (each with its messages' keys); 1 keeps QUEUE_PREFIX's key names. */
  readonly queueShards: number;
  readonly workerConcurrency: number;
  readonly providerAttempts: number;
  readonly retryBaseDelayMs: number;
  readonly providerTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  /** How long a worker holds a job before others may consider it stalled (recovery after a crash). */
  readonly workerLockDurationMs: number;
  readonly workerStalledIntervalMs: number;
  readonly messageRetentionSeconds: number;
  readonly publicBaseUrl: string | undefined;
  /** The sender of emails whose request names none (EMAIL_FROM); without it, each email must name one. */
  readonly emailFrom: string | undefined;
  /** Prices per channel and number prefix (PRICE_TABLE_FILE), for sends whose provider reports none. */
  readonly priceTable: PriceTable | undefined;
  /** Whose X-Forwarded-* headers Express believes (TRUST_PROXY); none by default. */
  readonly trustProxy: TrustProxy;
  readonly logLevel: string;
  /** Each provider's own settings, read by its module from its variables (every provider's, enabled or not). */
  readonly providerSettings: ProviderSettings;
}

function enabledProviders(e: Env, routes: readonly Route[]): ProviderId[] {
  return [...new Set([...e.PROVIDERS, ...routes.flatMap((r) => r.chain)])];
}

/** What each provider's module read from its variables: its settings and what it still lacks, or zod's problems. */
function readProviders(env: Readonly<Record<string, string | undefined>>) {
  const problems: string[] = [];
  const settings: Partial<Record<ProviderId, unknown>> = {};
  const missing = new Map<ProviderId, readonly string[]>();
  for (const module of PROVIDER_MODULES) {
    const reading = readProviderEnv(module.config, env);
    if (!reading.ok) {
      problems.push(...zodProblems(reading.error));
      continue;
    }
    settings[module.id] = reading.settings;
    missing.set(module.id, reading.missing);
  }
  // Each entry is what that module's own settings() returned, which is what ProviderSettings says.
  return { problems, settings: settings as ProviderSettings, missing };
}

function crossChecks(
  e: Env,
  routes: readonly Route[],
  missing: ReadonlyMap<ProviderId, readonly string[]>,
): string[] {
  const problems = enabledProviders(e, routes).flatMap((id) =>
    (missing.get(id) ?? []).map(
      (name) => `${name}: required by provider "${id}" (PROVIDERS or PROVIDER_ROUTES)`,
    ),
  );
  const loopback = /^(127\.\d+\.\d+\.\d+|localhost|::1)$/.test(e.REFERENCE_API_HOST);
  const hasAuth = Boolean(e.REFERENCE_API_KEY || e.OIDC_ISSUER_URL);
  if (!loopback && !hasAuth && !e.REFERENCE_API_ALLOW_UNAUTHENTICATED) {
    problems.push(
      `REFERENCE_API_HOST: binding to ${e.REFERENCE_API_HOST} needs REFERENCE_API_KEY or OIDC_ISSUER_URL ` +
        '(or REFERENCE_API_ALLOW_UNAUTHENTICATED=true to run open on purpose)',
    );
  }
  return problems;
}

function decodeKey(value: string | undefined): Buffer | undefined {
  if (!value) {
    return undefined;
  }
  return /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
}

/** Parses the environment once; throws a ConfigError listing every problem. */
export function loadConfig(rawEnv: NodeJS.ProcessEnv = process.env): ReferenceApiConfig {
  const { env, problems } = resolveFileSecrets(rawEnv, SECRET_NAMES);
  const parsed = schema.safeParse(env);
  const providers = readProviders(env);
  if (!parsed.success || providers.problems.length) {
    throw new ConfigError([
      ...problems,
      ...(parsed.success ? [] : zodProblems(parsed.error)),
      ...providers.problems,
    ]);
  }
  const e = parsed.data;
  const routing = parseRoutes(e.PROVIDER_ROUTES);
  const prices = e.PRICE_TABLE_FILE ? readPriceTable(e.PRICE_TABLE_FILE) : undefined;
  const redis = redisSettings(e); // reads REDIS_TLS_CA_FILE: once
  const all = [
    ...problems,
    ...routing.problems.map((p) => `PROVIDER_ROUTES: ${p}`),
    ...(prices && 'problem' in prices ? [`PRICE_TABLE_FILE: ${prices.problem}`] : []),
    ...crossChecks(e, routing.routes, providers.missing),
    ...redis.problems,
  ];
  if (all.length) {
    throw new ConfigError(all);
  }
  return deepFreeze({
    port: e.REFERENCE_API_PORT,
    host: e.REFERENCE_API_HOST,
    redis: redis.settings,
    providers: e.PROVIDERS,
    routes: routing.routes,
    enabledProviders: enabledProviders(e, routing.routes),
    breaker: {
      threshold: e.BREAKER_FAILURE_THRESHOLD,
      windowSeconds: e.BREAKER_WINDOW_SECONDS,
      cooldownSeconds: e.BREAKER_COOLDOWN_SECONDS,
    },
    auth: {
      apiKey: e.REFERENCE_API_KEY,
      oidcIssuerUrl: e.OIDC_ISSUER_URL,
      oidcAudience: e.OIDC_AUDIENCE,
      allowUnauthenticated: e.REFERENCE_API_ALLOW_UNAUTHENTICATED,
    },
    messageEncryptionKey: decodeKey(e.MESSAGE_ENCRYPTION_KEY),
    dataDir: e.DATA_DIR,
    queuePrefix: e.QUEUE_PREFIX,
    queueShards: e.QUEUE_SHARDS,
    workerConcurrency: e.WORKER_CONCURRENCY,
    providerAttempts: e.PROVIDER_ATTEMPTS,
    retryBaseDelayMs: e.RETRY_BASE_DELAY_MS,
    providerTimeoutMs: e.PROVIDER_TIMEOUT_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    workerLockDurationMs: e.WORKER_LOCK_DURATION_MS,
    workerStalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
    messageRetentionSeconds: e.MESSAGE_RETENTION_SECONDS,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    emailFrom: e.EMAIL_FROM,
    priceTable: prices && 'table' in prices ? prices.table : undefined,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    providerSettings: providers.settings,
  });
}
