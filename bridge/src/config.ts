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
import { trustProxySetting } from '@sms-mfa/common/trust-proxy';
import {
  loadConfig as loadReferenceApiConfig,
  type ReferenceApiConfig,
} from '@sms-mfa/reference-api/config';

const SECRET_NAMES = [
  'BRIDGE_SECRET',
  'BRIDGE_DEMO_CLIENT_SECRET',
  'REFERENCE_API_KEY',
  'REFERENCE_API_CLIENT_SECRET',
  'BRIDGE_ADMIN_CLIENT_SECRET',
  ...REDIS_SECRET_NAMES,
] as const;

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number, def: number) =>
  z.coerce.number().int().min(min).max(max).default(def);

const schema = z.object({
  BRIDGE_PORT: int(0, 65535, 3000),
  BRIDGE_HOST: z.string().min(1).default('127.0.0.1'),
  BRIDGE_PUBLIC_URL: z.url().optional(),
  // whose X-Forwarded-For (and -Proto, -Host) to believe: none unless behind a reverse proxy
  TRUST_PROXY: trustProxySetting,
  ...REDIS_ENV,
  // where `npm start` prefers to run its local Redis; the apps CLI looks there when REDIS_URL is unset
  EMBEDDED_REDIS_PORT: int(1, 65535, 6390),
  KEY_PREFIX: z
    .string()
    .regex(/^\{[A-Za-z0-9_-]+\}$/, 'must be a Redis hash tag such as {mfa}')
    .default('{mfa}'),
  DATA_DIR: z.string().min(1).default('.data'),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug', 'silent']).default('info'),
  BRIDGE_SECRET: z.string().min(32, 'use at least 32 characters').optional(),
  // token issuer
  BRIDGE_REALM: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .default('mfa'),
  TOKEN_TTL_SECONDS: int(30, 86_400, 300),
  OIDC_ISSUER_URL: z.url().optional(),
  OIDC_AUDIENCE: z.string().min(1).optional(),
  // applications
  BRIDGE_DEMO_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{3,64}$/, 'letters, digits, . _ - (3-64)')
    .optional(),
  BRIDGE_DEMO_CLIENT_SECRET: z.string().min(8).optional(),
  BRIDGE_ADMIN_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{3,64}$/)
    .optional(),
  BRIDGE_ADMIN_CLIENT_SECRET: z.string().min(16).optional(),
  // sending
  REFERENCE_API_URL: z.url().default('http://127.0.0.1:3412'),
  REFERENCE_API_KEY: z.string().min(16).optional(),
  // or a client-credentials token for a reference API that requires OIDC tokens
  REFERENCE_API_CLIENT_ID: z.string().min(1).max(255).optional(),
  REFERENCE_API_CLIENT_SECRET: z.string().min(8).optional(),
  REFERENCE_API_TOKEN_URL: z.url({ protocol: /^https?$/ }).optional(),
  REFERENCE_API_TIMEOUT_MS: int(100, 60_000, 5000),
  // put codes on the reference API's queue directly (same Redis, job format and key) instead of POSTing them
  REFERENCE_API_DIRECT_QUEUE: bool.default(false),
  // code defaults (each application may override)
  OTP_LENGTH: int(4, 10, 6),
  OTP_TTL_SECONDS: int(60, 600, 300),
  OTP_MAX_ATTEMPTS: int(1, 20, 5),
  RESEND_COOLDOWN_SECONDS: int(0, 3600, 30),
  MAX_SENDS_PER_AUTH: int(1, 20, 5),
  // rate limits
  RATE_PHONE_SENDS: int(1, 10_000, 5),
  RATE_PHONE_WINDOW_SECONDS: int(1, 86_400, 600),
  RATE_APP_SENDS_PER_MINUTE: int(1, 1_000_000, 600),
  RATE_COUNTRY_SENDS_PER_MINUTE: int(1, 1_000_000, 300),
  RATE_IP_SENDS_PER_HOUR: int(1, 1_000_000, 30),
  RATE_VALIDATIONS_PER_AUTH_PER_MINUTE: int(1, 10_000, 20),
  RATE_APP_VALIDATIONS_PER_MINUTE: int(1, 1_000_000, 3000),
  RATE_CLIENT_AUTH_FAILURES: int(1, 1_000_000, 20),
  RATE_CLIENT_AUTH_WINDOW_SECONDS: int(1, 86_400, 600),
  // SMS-pumping quarantine per application and destination prefix (see README: SMS pumping)
  PUMPING_ENABLED: bool.default(true),
  PUMPING_MIN_SENDS: int(1, 1_000_000, 20),
  PUMPING_MIN_CONVERSION: z.coerce.number().min(0).max(1).default(0.2),
  PUMPING_WINDOW_SECONDS: int(60, 7 * 86_400, 3600),
  PUMPING_QUARANTINE_SECONDS: int(60, 30 * 86_400, 3600),
  PUMPING_PREFIX_DIGITS: int(0, 6, 2),
  // demo
  DEMO_USERS_FILE: z.string().min(1).default('bridge/demo-users.json'),
  BRIDGE_DEMO_ENABLED: bool.default(true),
});

type Env = z.output<typeof schema>;

/** The bridge's configuration, parsed once and frozen. */
export type BridgeConfig = ReturnType<typeof toConfig>;

function toConfig(e: Env, redis: RedisSettings, referenceQueue?: ReferenceApiConfig) {
  const publicUrl = (e.BRIDGE_PUBLIC_URL ?? `http://localhost:${e.BRIDGE_PORT}`).replace(
    /\/+$/,
    '',
  );
  return {
    port: e.BRIDGE_PORT,
    host: e.BRIDGE_HOST,
    publicUrl,
    trustProxy: e.TRUST_PROXY,
    /** REDIS_URL or REDIS_CLUSTER_NODES, and REDIS_WAIT_REPLICAS. */
    redis,
    embeddedRedisPort: e.EMBEDDED_REDIS_PORT,
    keyPrefix: e.KEY_PREFIX,
    dataDir: e.DATA_DIR,
    logLevel: e.LOG_LEVEL,
    serverSecret: e.BRIDGE_SECRET,
    issuer: {
      realm: e.BRIDGE_REALM,
      /** `iss` of embedded tokens, Keycloak's shape: {publicUrl}/realms/{realm}. */
      url: `${publicUrl}/realms/${e.BRIDGE_REALM}`,
      tokenTtlSeconds: e.TOKEN_TTL_SECONDS,
      externalUrl: e.OIDC_ISSUER_URL,
      audience: e.OIDC_AUDIENCE,
    },
    demoClient: e.BRIDGE_DEMO_CLIENT_ID
      ? { clientId: e.BRIDGE_DEMO_CLIENT_ID, clientSecret: e.BRIDGE_DEMO_CLIENT_SECRET }
      : undefined,
    adminClient: e.BRIDGE_ADMIN_CLIENT_ID
      ? { clientId: e.BRIDGE_ADMIN_CLIENT_ID, clientSecret: e.BRIDGE_ADMIN_CLIENT_SECRET }
      : undefined,
    referenceApi: {
      url: e.REFERENCE_API_URL.replace(/\/+$/, ''),
      apiKey: e.REFERENCE_API_KEY,
      clientCredentials: referenceApiClient(e),
      timeoutMs: e.REFERENCE_API_TIMEOUT_MS,
      /**
       * REFERENCE_API_DIRECT_QUEUE: the reference API's own settings (QUEUE_PREFIX, QUEUE_SHARDS,
       * MESSAGE_ENCRYPTION_KEY, PROVIDERS, PRICE_TABLE_FILE…), read from the same environment.
       */
      directQueue: referenceQueue,
    },
    otpDefaults: {
      codeLength: e.OTP_LENGTH,
      otpTtlSeconds: e.OTP_TTL_SECONDS,
      maxAttempts: e.OTP_MAX_ATTEMPTS,
      resendCooldownSeconds: e.RESEND_COOLDOWN_SECONDS,
      maxSendsPerAuth: e.MAX_SENDS_PER_AUTH,
    },
    rateLimits: {
      phoneSends: e.RATE_PHONE_SENDS,
      phoneWindowSeconds: e.RATE_PHONE_WINDOW_SECONDS,
      appSendsPerMinute: e.RATE_APP_SENDS_PER_MINUTE,
      countrySendsPerMinute: e.RATE_COUNTRY_SENDS_PER_MINUTE,
      ipSendsPerHour: e.RATE_IP_SENDS_PER_HOUR,
      validationsPerAuthPerMinute: e.RATE_VALIDATIONS_PER_AUTH_PER_MINUTE,
      appValidationsPerMinute: e.RATE_APP_VALIDATIONS_PER_MINUTE,
      clientAuthFailures: e.RATE_CLIENT_AUTH_FAILURES,
      clientAuthWindowSeconds: e.RATE_CLIENT_AUTH_WINDOW_SECONDS,
    },
    pumping: {
      enabled: e.PUMPING_ENABLED,
      minSends: e.PUMPING_MIN_SENDS,
      minConversion: e.PUMPING_MIN_CONVERSION,
      windowSeconds: e.PUMPING_WINDOW_SECONDS,
      quarantineSeconds: e.PUMPING_QUARANTINE_SECONDS,
      prefixDigits: e.PUMPING_PREFIX_DIGITS,
    },
    demo: { enabled: e.BRIDGE_DEMO_ENABLED, usersFile: e.DEMO_USERS_FILE },
  };
}

/** The bridge's own client at the issuer the reference API trusts; token URL, else the issuer's discovery names it. */
function referenceApiClient(e: Env) {
  if (!e.REFERENCE_API_CLIENT_ID || !e.REFERENCE_API_CLIENT_SECRET) {
    return undefined;
  }
  return {
    clientId: e.REFERENCE_API_CLIENT_ID,
    clientSecret: e.REFERENCE_API_CLIENT_SECRET,
    tokenUrl: e.REFERENCE_API_TOKEN_URL,
    issuerUrl: e.OIDC_ISSUER_URL?.replace(/\/+$/, ''),
  };
}

function crossChecks(e: Env): string[] {
  const problems: string[] = [];
  if (e.BRIDGE_DEMO_CLIENT_ID && !e.BRIDGE_DEMO_CLIENT_SECRET) {
    problems.push('BRIDGE_DEMO_CLIENT_SECRET: required with BRIDGE_DEMO_CLIENT_ID');
  }
  if (e.BRIDGE_ADMIN_CLIENT_ID && !e.BRIDGE_ADMIN_CLIENT_SECRET) {
    problems.push('BRIDGE_ADMIN_CLIENT_SECRET: required with BRIDGE_ADMIN_CLIENT_ID');
  }
  return [...problems, ...referenceApiAuthChecks(e)];
}

function referenceApiAuthChecks(e: Env): string[] {
  const problems: string[] = [];
  if (e.REFERENCE_API_CLIENT_ID && !e.REFERENCE_API_CLIENT_SECRET) {
    problems.push('REFERENCE_API_CLIENT_SECRET: required with REFERENCE_API_CLIENT_ID');
  }
  if (e.REFERENCE_API_CLIENT_SECRET && !e.REFERENCE_API_CLIENT_ID) {
    problems.push('REFERENCE_API_CLIENT_ID: required with REFERENCE_API_CLIENT_SECRET');
  }
  if (e.REFERENCE_API_TOKEN_URL && !e.REFERENCE_API_CLIENT_ID) {
    problems.push('REFERENCE_API_TOKEN_URL: used only with REFERENCE_API_CLIENT_ID and _SECRET');
  }
  if (!e.REFERENCE_API_CLIENT_ID) {
    return problems;
  }
  if (e.REFERENCE_API_KEY) {
    problems.push(
      'REFERENCE_API_KEY: set either REFERENCE_API_KEY or REFERENCE_API_CLIENT_ID and _SECRET, not both',
    );
  }
  if (!e.REFERENCE_API_TOKEN_URL && !e.OIDC_ISSUER_URL) {
    problems.push(
      'REFERENCE_API_CLIENT_ID: needs REFERENCE_API_TOKEN_URL, or OIDC_ISSUER_URL whose discovery names the token endpoint',
    );
  }
  return problems;
}

/** Parses the environment once; throws a ConfigError listing every problem. */
export function loadConfig(rawEnv: NodeJS.ProcessEnv = process.env): Readonly<BridgeConfig> {
  const { env, problems } = resolveFileSecrets(rawEnv, SECRET_NAMES);
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError([...problems, ...zodProblems(parsed.error)]);
  }
  const queue = parsed.data.REFERENCE_API_DIRECT_QUEUE ? referenceApiQueue(rawEnv) : {};
  // reads REDIS_TLS_CA_FILE: once
  const redis = redisSettings(parsed.data);
  const all = [
    ...problems,
    ...crossChecks(parsed.data),
    ...redis.problems,
    ...(queue.problems ?? []),
  ];
  if (all.length) {
    throw new ConfigError(all);
  }
  return deepFreeze(toConfig(parsed.data, redis.settings, queue.config));
}

/** The reference API's config, as its own loadConfig reads the same environment. */
function referenceApiQueue(env: NodeJS.ProcessEnv): {
  config?: ReferenceApiConfig;
  problems?: readonly string[];
} {
  try {
    // The queue logs through the bridge's logger: the bridge's LOG_LEVEL (which may be `silent`) is not the reference API's.
    return { config: loadReferenceApiConfig({ ...env, LOG_LEVEL: undefined }) };
  } catch (err) {
    if (!(err instanceof ConfigError)) {
      throw err;
    }
    return { problems: err.problems.map((p) => `REFERENCE_API_DIRECT_QUEUE: ${p}`) };
  }
}
