import { z } from 'zod';
import { ConfigError, zodProblems } from '@sms-mfa/common/config-error';
import { deepFreeze } from '@sms-mfa/common/freeze';
import { resolveFileSecrets } from '@sms-mfa/common/secrets';
import { trustProxySetting, type TrustProxy } from '@sms-mfa/common/trust-proxy';

import { PROVIDER_IDS, type ProviderId } from './providers/provider-ids.js';
import { parseRoutes, type Route } from './delivery/routing.js';

export { PROVIDER_IDS, type ProviderId };

const SECRET_NAMES = [
  'REFERENCE_API_KEY',
  'MESSAGE_ENCRYPTION_KEY',
  'TWILIO_AUTH_TOKEN',
  'TWILIO_API_KEY_SECRET',
  'VONAGE_API_SECRET',
  'VONAGE_SIGNATURE_SECRET',
  'VONAGE_PRIVATE_KEY',
  'SENDPULSE_CLIENT_SECRET',
  'TELEGRAM_GATEWAY_TOKEN',
  'TELEGRAM_BOT_TOKEN',
] as const;

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const int = (min: number, max: number, def: number) =>
  z.coerce.number().int().min(min).max(max).default(def);
const optional = z.string().min(1).optional();
const url = z.url().optional();

const schema = z.object({
  REFERENCE_API_PORT: int(0, 65535, 3412),
  REFERENCE_API_HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
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
  WORKER_CONCURRENCY: int(1, 1000, 32),
  PROVIDER_ATTEMPTS: int(1, 10, 3),
  RETRY_BASE_DELAY_MS: int(1, 600_000, 1000),
  PROVIDER_TIMEOUT_MS: int(100, 120_000, 10_000),
  SHUTDOWN_TIMEOUT_MS: int(100, 120_000, 10_000),
  WORKER_LOCK_DURATION_MS: int(1000, 600_000, 30_000),
  WORKER_STALLED_INTERVAL_MS: int(500, 600_000, 30_000),
  OUTBOX_DELAY_MS: int(0, 60_000, 0),
  MESSAGE_RETENTION_SECONDS: int(60, 90 * 86400, 7 * 86400),
  PUBLIC_BASE_URL: url,
  // whose X-Forwarded-Proto (and -For, -Host) to believe: none unless behind a reverse proxy
  TRUST_PROXY: trustProxySetting,
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  // twilio
  TWILIO_BASE_URL: z.url().default('https://api.twilio.com'),
  TWILIO_ACCOUNT_SID: optional,
  TWILIO_AUTH_TOKEN: optional,
  TWILIO_API_KEY_SID: optional,
  TWILIO_API_KEY_SECRET: optional,
  TWILIO_FROM: optional,
  TWILIO_MESSAGING_SERVICE_SID: optional,
  TWILIO_WHATSAPP_FROM: optional,
  TWILIO_WHATSAPP_CONTENT_SID: optional,
  // vonage
  VONAGE_REST_HOST: z.url().default('https://rest.nexmo.com'),
  VONAGE_API_HOST: z.url().default('https://api.nexmo.com'),
  VONAGE_API_KEY: optional,
  VONAGE_API_SECRET: optional,
  VONAGE_FROM: optional,
  VONAGE_SIGNATURE_SECRET: optional,
  VONAGE_WHATSAPP_FROM: optional,
  VONAGE_WHATSAPP_TEMPLATE: optional,
  // sendpulse
  SENDPULSE_BASE_URL: z.url().default('https://api.sendpulse.com'),
  SENDPULSE_CLIENT_ID: optional,
  SENDPULSE_CLIENT_SECRET: optional,
  SENDPULSE_SENDER: optional,
  // telegram
  TELEGRAM_GATEWAY_BASE_URL: z.url().default('https://gatewayapi.telegram.org'),
  TELEGRAM_BOT_BASE_URL: z.url().default('https://api.telegram.org'),
  TELEGRAM_GATEWAY_TOKEN: optional,
  TELEGRAM_BOT_TOKEN: optional,
});

type Env = z.output<typeof schema>;

/** The reference API's configuration, parsed once and frozen. */
export interface ReferenceApiConfig {
  readonly port: number;
  readonly host: string;
  readonly redisUrl: string | undefined;
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
  readonly queuePrefix: string;
  readonly workerConcurrency: number;
  readonly providerAttempts: number;
  readonly retryBaseDelayMs: number;
  readonly providerTimeoutMs: number;
  readonly shutdownTimeoutMs: number;
  /** How long a worker holds a job before others may consider it stalled (recovery after a crash). */
  readonly workerLockDurationMs: number;
  readonly workerStalledIntervalMs: number;
  /** Simulated provider latency of the dev outbox (demos, shutdown tests, benchmarks). */
  readonly outboxDelayMs: number;
  readonly messageRetentionSeconds: number;
  readonly publicBaseUrl: string | undefined;
  /** Whose X-Forwarded-* headers Express believes (TRUST_PROXY); none by default. */
  readonly trustProxy: TrustProxy;
  readonly logLevel: string;
  readonly twilio: ReturnType<typeof twilioBlock>;
  readonly vonage: ReturnType<typeof vonageBlock>;
  readonly sendpulse: ReturnType<typeof sendpulseBlock>;
  readonly telegram: ReturnType<typeof telegramBlock>;
}

function twilioBlock(e: Env) {
  return {
    baseUrl: e.TWILIO_BASE_URL,
    accountSid: e.TWILIO_ACCOUNT_SID,
    authToken: e.TWILIO_AUTH_TOKEN,
    apiKeySid: e.TWILIO_API_KEY_SID,
    apiKeySecret: e.TWILIO_API_KEY_SECRET,
    from: e.TWILIO_FROM,
    messagingServiceSid: e.TWILIO_MESSAGING_SERVICE_SID,
    whatsappFrom: e.TWILIO_WHATSAPP_FROM,
    whatsappContentSid: e.TWILIO_WHATSAPP_CONTENT_SID,
  };
}

function vonageBlock(e: Env) {
  return {
    restHost: e.VONAGE_REST_HOST,
    apiHost: e.VONAGE_API_HOST,
    apiKey: e.VONAGE_API_KEY,
    apiSecret: e.VONAGE_API_SECRET,
    from: e.VONAGE_FROM,
    signatureSecret: e.VONAGE_SIGNATURE_SECRET,
    whatsappFrom: e.VONAGE_WHATSAPP_FROM,
    whatsappTemplate: e.VONAGE_WHATSAPP_TEMPLATE,
  };
}

function sendpulseBlock(e: Env) {
  return {
    baseUrl: e.SENDPULSE_BASE_URL,
    clientId: e.SENDPULSE_CLIENT_ID,
    clientSecret: e.SENDPULSE_CLIENT_SECRET,
    sender: e.SENDPULSE_SENDER,
  };
}

function telegramBlock(e: Env) {
  return {
    gatewayBaseUrl: e.TELEGRAM_GATEWAY_BASE_URL,
    botBaseUrl: e.TELEGRAM_BOT_BASE_URL,
    gatewayToken: e.TELEGRAM_GATEWAY_TOKEN,
    botToken: e.TELEGRAM_BOT_TOKEN,
  };
}

const REQUIRED_BY_PROVIDER: Record<ProviderId, (e: Env) => string[]> = {
  outbox: () => [],
  twilio: (e) => [
    ...(e.TWILIO_ACCOUNT_SID ? [] : ['TWILIO_ACCOUNT_SID']),
    ...(e.TWILIO_AUTH_TOKEN || (e.TWILIO_API_KEY_SID && e.TWILIO_API_KEY_SECRET)
      ? []
      : ['TWILIO_AUTH_TOKEN']),
    ...(e.TWILIO_FROM || e.TWILIO_MESSAGING_SERVICE_SID
      ? []
      : ['TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID']),
  ],
  vonage: (e) => [
    ...(e.VONAGE_API_KEY ? [] : ['VONAGE_API_KEY']),
    ...(e.VONAGE_API_SECRET ? [] : ['VONAGE_API_SECRET']),
    ...(e.VONAGE_FROM ? [] : ['VONAGE_FROM']),
  ],
  sendpulse: (e) => [
    ...(e.SENDPULSE_CLIENT_ID ? [] : ['SENDPULSE_CLIENT_ID']),
    ...(e.SENDPULSE_CLIENT_SECRET ? [] : ['SENDPULSE_CLIENT_SECRET']),
    ...(e.SENDPULSE_SENDER ? [] : ['SENDPULSE_SENDER']),
  ],
  // The Gateway reaches any number; a bot alone reaches only numbers whose owners linked a chat.
  telegram: (e) =>
    e.TELEGRAM_GATEWAY_TOKEN || e.TELEGRAM_BOT_TOKEN
      ? []
      : ['TELEGRAM_GATEWAY_TOKEN or TELEGRAM_BOT_TOKEN'],
};

function enabledProviders(e: Env, routes: readonly Route[]): ProviderId[] {
  return [...new Set([...e.PROVIDERS, ...routes.flatMap((r) => r.chain)])];
}

function crossChecks(e: Env, routes: readonly Route[]): string[] {
  const problems = enabledProviders(e, routes).flatMap((id) =>
    REQUIRED_BY_PROVIDER[id](e).map(
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
  if (!parsed.success) {
    throw new ConfigError([...problems, ...zodProblems(parsed.error)]);
  }
  const e = parsed.data;
  const routing = parseRoutes(e.PROVIDER_ROUTES);
  const all = [
    ...problems,
    ...routing.problems.map((p) => `PROVIDER_ROUTES: ${p}`),
    ...crossChecks(e, routing.routes),
  ];
  if (all.length) {
    throw new ConfigError(all);
  }
  return deepFreeze({
    port: e.REFERENCE_API_PORT,
    host: e.REFERENCE_API_HOST,
    redisUrl: e.REDIS_URL,
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
    workerConcurrency: e.WORKER_CONCURRENCY,
    providerAttempts: e.PROVIDER_ATTEMPTS,
    retryBaseDelayMs: e.RETRY_BASE_DELAY_MS,
    providerTimeoutMs: e.PROVIDER_TIMEOUT_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    workerLockDurationMs: e.WORKER_LOCK_DURATION_MS,
    workerStalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
    outboxDelayMs: e.OUTBOX_DELAY_MS,
    messageRetentionSeconds: e.MESSAGE_RETENTION_SECONDS,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    twilio: twilioBlock(e),
    vonage: vonageBlock(e),
    sendpulse: sendpulseBlock(e),
    telegram: telegramBlock(e),
  });
}
