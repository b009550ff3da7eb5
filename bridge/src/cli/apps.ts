// `npm run apps -- <command>`: registers and manages applications, and rotates the issuer's
// signing key, straight in RedisClient (the bridge need not run). Secrets are printed once, here only.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { describeRedis, openRedis, type RedisClient } from '@sms-mfa/common/redis-client';
import { ConfigError } from '@sms-mfa/common/config-error';
import { startProblem } from '@sms-mfa/common/redis-start';
import type { z } from 'zod';
import type { createApplicationSchema } from '../apps/application-input.js';
import { applicationView, ApplicationStore } from '../apps/application-store.js';
import { removeApplication } from '../apps/remove-application.js';
import { parseBudgetFlag } from '../budget/daily-budget.js';
import { loadConfig, type BridgeConfig } from '../config.js';
import { CiamError } from '../errors.js';
import { retiredKeyGraceSeconds, SigningKeys } from '../issuer/keys.js';
import { readServerSecret } from '../server-secret.js';
import { RedisDeviceStore } from '../totp/redis-device-store.js';
import {
  QUARANTINE_COMMANDS,
  QUARANTINE_OPTIONS,
  QUARANTINE_USAGE,
} from './quarantine-commands.js';
import { SEALED_COMMANDS, SEALED_OPTIONS, SEALED_USAGE } from './sealed-commands.js';

const USAGE = `usage: npm run apps -- <command> [options]

  create --name <name> [settings]     register an application; prints its client id and secret once
  update <clientId> [settings]        change settings
  list                                every application (no secrets)
  show <clientId>                     one application, as JSON
  rotate-secret <clientId>            a new client secret, printed once; the old one stops working
  delete <clientId>                   remove the application and its users' authenticator apps;
                                      its tokens stop working
  rotate-keys [--revoke-previous]     a new token-signing key; the old one stays published until its
                                      tokens expire (or not at all with --revoke-previous)
${SEALED_USAGE}
${QUARANTINE_USAGE}

settings: --client-id <id> --brand <text> --countries IN,BR --device-types SMS,WHATSAPP
          --scopes mfa:send,mfa:verify --code-length 6 --ttl 300 --max-attempts 5
          --sender-id ACME --web-otp-domain example.com --return-urls https://a.example/cb,...
          --email-from "Acme <no-reply@example.com>" --allow-test-devices true|false
          --totp-algorithm SHA1|SHA256|SHA512 --totp-digits 6|8 (authenticator apps; with TOTP in --device-types)
          --daily-budget 25:USD (what sends may cost per UTC day) | --no-daily-budget (no cap)
other:    --json (machine-readable output)

Redis: REDIS_URL, or the embedded default's (npm start) on 127.0.0.1:EMBEDDED_REDIS_PORT (6390).`;

const OPTIONS = {
  name: { type: 'string' },
  'client-id': { type: 'string' },
  brand: { type: 'string' },
  countries: { type: 'string' },
  'device-types': { type: 'string' },
  scopes: { type: 'string' },
  'code-length': { type: 'string' },
  ttl: { type: 'string' },
  'max-attempts': { type: 'string' },
  'sender-id': { type: 'string' },
  'web-otp-domain': { type: 'string' },
  'return-urls': { type: 'string' },
  'email-from': { type: 'string' },
  'allow-test-devices': { type: 'string' },
  ...SEALED_OPTIONS,
  ...QUARANTINE_OPTIONS,
  'totp-algorithm': { type: 'string' },
  'totp-digits': { type: 'string' },
  'daily-budget': { type: 'string' },
  'no-daily-budget': { type: 'boolean' },
  json: { type: 'boolean' },
  'revoke-previous': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flags = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>['values'];
type Settings = Partial<z.input<typeof createApplicationSchema>>;

interface Context {
  readonly config: Readonly<BridgeConfig>;
  readonly redis: RedisClient;
  readonly apps: ApplicationStore;
  /** Seals DKIM keys and test codes; undefined until the bridge generated one (or BRIDGE_SECRET). */
  readonly serverSecret: Buffer | undefined;
  readonly flags: Flags;
  readonly target: string | undefined;
  readonly print: (text: string) => void;
}

const list = (value: string | undefined) =>
  value
    ?.split(',')
    .map((v) => v.trim())
    .filter(Boolean);
const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));
// Anything but true or false is passed on as it is, for the settings' check to name.
const boolean = (value: string | undefined) =>
  value === 'true' ? true : value === 'false' ? false : value;

/** Application settings named by flags; anything not given is left out (defaults, or unchanged). */
function settingsFrom(flags: Flags): Settings {
  const settings: Record<string, unknown> = {
    clientId: flags['client-id'],
    name: flags.name,
    brand: flags.brand,
    allowedCountries: list(flags.countries),
    deviceTypes: list(flags['device-types']),
    scopes: list(flags.scopes),
    codeLength: number(flags['code-length']),
    otpTtlSeconds: number(flags.ttl),
    maxAttempts: number(flags['max-attempts']),
    senderId: flags['sender-id'],
    webOtpDomain: flags['web-otp-domain'],
    returnUrls: list(flags['return-urls']),
    emailFrom: flags['email-from'],
    allowTestDevices: boolean(flags['allow-test-devices']),
    totp: totpFrom(flags),
    dailyBudget: budgetFrom(flags),
  };
  return Object.fromEntries(
    Object.entries(settings).filter(([, v]) => v !== undefined),
  ) as Settings;
}

/** `--daily-budget 25:USD` as the setting, `--no-daily-budget` as null (no cap); neither leaves it alone. */
function budgetFrom(flags: Flags): unknown {
  if (flags['no-daily-budget'] && flags['daily-budget'] !== undefined) {
    throw new UsageError('give --daily-budget or --no-daily-budget, not both');
  }
  if (flags['no-daily-budget']) {
    return null;
  }
  const value = flags['daily-budget'];
  return value === undefined ? undefined : parseBudgetFlag(value);
}

/** `--totp-algorithm` and `--totp-digits` as the `totp` setting; either alone keeps the other's default. */
function totpFrom(flags: Flags): Settings['totp'] {
  const algorithm = flags['totp-algorithm'];
  const digits = number(flags['totp-digits']);
  if (algorithm === undefined && digits === undefined) {
    return undefined;
  }
  return { algorithm, digits } as Settings['totp'];
}

const COMMANDS: Record<string, (ctx: Context) => Promise<void>> = {
  ...SEALED_COMMANDS,
  ...QUARANTINE_COMMANDS,
  async create({ apps, flags, print }) {
    const { application, clientSecret } = await apps.create({ name: '', ...settingsFrom(flags) });
    if (flags.json) {
      return print(JSON.stringify({ ...applicationView(application), clientSecret }, null, 2));
    }
    print(
      `Application "${application.name}" registered.\n  client id      ${application.clientId}\n  client secret  ${clientSecret}\n` +
        'The secret is shown this once and stored only as a hash: keep it now.',
    );
  },
  async update({ apps, flags, print, target }) {
    const changes = settingsFrom(flags);
    delete changes.clientId; // a client id never changes
    print(
      JSON.stringify(
        applicationView(found(await apps.update(required(target), changes), target)),
        null,
        2,
      ),
    );
  },
  async list({ apps, flags, print }) {
    const all = (await apps.list()).map(applicationView);
    if (flags.json) {
      return print(JSON.stringify(all, null, 2));
    }
    if (all.length === 0) {
      return print('no applications');
    }
    for (const a of all) {
      print(
        `${a.clientId}  ${a.name}  scopes=${a.scopes.join(',')}  devices=${a.deviceTypes.join(',')}  countries=${a.allowedCountries.join(',') || 'all'}`,
      );
    }
  },
  async show({ apps, print, target }) {
    print(
      JSON.stringify(applicationView(found(await apps.get(required(target)), target)), null, 2),
    );
  },
  async 'rotate-secret'({ apps, flags, print, target }) {
    const clientSecret = found(await apps.rotateSecret(required(target)), target);
    print(
      flags.json
        ? JSON.stringify({ clientId: target, clientSecret })
        : `new client secret for ${target}: ${clientSecret}\nShown this once; the old secret no longer works.`,
    );
  },
  async delete({ config, redis, apps, print, target }) {
    const devices = new RedisDeviceStore(redis, config.keyPrefix);
    found((await removeApplication(apps, devices, required(target))) || undefined, target);
    print(`deleted ${target}`);
  },
  async 'rotate-keys'({ config, redis, flags, print }) {
    const secret = readServerSecret(config.serverSecret, config.dataDir);
    if (!secret) {
      throw new Error(
        `no server secret: set BRIDGE_SECRET, or run from where the bridge keeps ${config.dataDir}/bridge-secret`,
      );
    }
    const keys = new SigningKeys(redis, config.keyPrefix, secret);
    await keys.ensure(); // refuses (KeySealError) before writing anything if the secret is not the bridge's
    const grace = flags['revoke-previous']
      ? 0
      : retiredKeyGraceSeconds(config.issuer.tokenTtlSeconds);
    const { kid, previousKid } = await keys.rotate(grace);
    print(
      `signing key rotated: ${kid} is current; ${previousKid ?? 'none'} ${grace ? `stays published for ${grace} s` : 'is revoked now'}`,
    );
  },
};

function required(target: string | undefined): string {
  if (!target) {
    throw new UsageError('name the application: <clientId>');
  }
  return target;
}

function found<T>(value: T | undefined, clientId: string | undefined): T {
  if (value === undefined) {
    throw new Error(`no application ${clientId}`);
  }
  return value;
}

class UsageError extends Error {}

async function connect(config: Readonly<BridgeConfig>): Promise<RedisClient> {
  const target = config.redis.cluster
    ? config.redis
    : {
        url: config.redis.url ?? `redis://127.0.0.1:${config.embeddedRedisPort}`,
        cluster: undefined,
        tlsCa: config.redis.tlsCa,
        tlsClient: config.redis.tlsClient,
      };
  const redis = openRedis(target, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined); // reported by connect() below
  try {
    await redis.connect();
    return redis;
  } catch (err) {
    redis.disconnect();
    throw new Error(
      (await startProblem(err, target)) ??
        `cannot reach ${describeRedis(target)}: set REDIS_URL or REDIS_CLUSTER_NODES, or start the embedded default with \`npm start\` first`,
    );
  }
}

/** Runs one command; resolves to the process exit code. */
export async function runAppsCli(
  argv: string[],
  print: (text: string) => void = console.log,
): Promise<number> {
  const { values: flags, positionals } = parseArgs({
    args: argv,
    options: OPTIONS,
    allowPositionals: true,
  });
  const [command, target] = positionals;
  const run = command ? COMMANDS[command] : undefined;
  if (!run || flags.help) {
    print(USAGE);
    return flags.help ? 0 : 2;
  }
  const config = loadConfig();
  const redis = await connect(config);
  const serverSecret = readServerSecret(config.serverSecret, config.dataDir);
  try {
    await run({
      config,
      redis,
      apps: new ApplicationStore(
        redis,
        config.keyPrefix,
        config.otpDefaults,
        undefined,
        serverSecret,
      ),
      serverSecret,
      flags,
      target,
      print,
    });
    return 0;
  } finally {
    await redis.quit().catch(() => undefined);
  }
}

function report(err: unknown): number {
  if (err instanceof CiamError) {
    const details =
      (err.extra['details'] as { field: string; message: string }[] | undefined) ?? [];
    console.error(
      [`error: ${err.message}`, ...details.map((d) => `  ${d.field}: ${d.message}`)].join('\n'),
    );
    return 2;
  }
  console.error(
    `error: ${err instanceof ConfigError || err instanceof Error ? err.message : String(err)}`,
  );
  return err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ? 2
    : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  runAppsCli(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => process.exit(report(err)),
  );
}
