import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import KeycloakAdminClient, { NetworkError } from '@keycloak/keycloak-admin-client';
import {
  DEFAULT_FLOW_ALIAS,
  DEFAULT_PROVIDER_ID,
  InstallError,
  installSmsStep,
  SECRET_ATTRIBUTE,
  vaultReference,
  type InstallOptions,
  type StepResult,
} from './installer.js';

/**
 * `npm run keycloak:install -- --url http://localhost:8080 --realm myrealm --bridge-url ... ...`
 * Logs in to Keycloak's admin API and runs the idempotent installer steps. Secrets may come from
 * the environment instead of flags, so they stay out of shell history and process lists. The
 * bridge client secret best never passes through here at all: --bridge-client-secret-vault stores
 * a reference to Keycloak's vault, --bridge-client-secret-env leaves it to Keycloak's environment.
 */

export const USAGE = `Usage: npm run keycloak:install -- --url <keycloak> --realm <realm> --bridge-url <url> \\
         --bridge-client-id <id> --bridge-client-secret-vault <key> [options]

Keycloak admin login (one of):
  --admin-user <name> --admin-password <pw>      password grant with admin-cli   (env KEYCLOAK_ADMIN_USER, KEYCLOAK_ADMIN_PASSWORD)
  --admin-client-id <id> --admin-client-secret <s> client credentials          (env KEYCLOAK_ADMIN_CLIENT_ID, KEYCLOAK_ADMIN_CLIENT_SECRET)
  --auth-realm <realm>           realm to log in to (default master)

What the SMS step uses (realm attributes the script reads):
  --bridge-url <url>             bridge base URL as Keycloak reaches it (env SMS_MFA_BRIDGE_URL)
  --bridge-client-id <id>        bridge application client id      (env SMS_MFA_BRIDGE_CLIENT_ID)
  --token-realm <realm>          realm of the bridge's token issuer (default mfa)
  --token-url <url>              token endpoint, when not the bridge's own
  --phone-attribute <name>       user attribute holding the phone (default mobile_number)
  --missing-phone skip|fail      a user without a phone: skip the step or fail (default fail)

The bridge client secret, exactly one of (every admin who can view the realm reads its attributes,
so prefer the first two):
  --bridge-client-secret-vault <key>
                                 store ${vaultReference('<key>')} in ${SECRET_ATTRIBUTE}: the script reads the
                                 secret from Keycloak's vault. File vault (kc.sh start --vault=file
                                 --vault-dir=<dir>): the file <dir>/<realm>_<key>, with underscores
                                 in realm and key doubled
  --bridge-client-secret-env     store no secret (removing one an earlier run stored); the script
                                 reads SMS_MFA_CLIENT_SECRET in Keycloak's environment
  --bridge-client-secret <s>     store the secret itself in ${SECRET_ATTRIBUTE} (env SMS_MFA_BRIDGE_CLIENT_SECRET)

Flow:
  --flow-alias <alias>           copy of "browser" to create and bind (default "${DEFAULT_FLOW_ALIAS}")
  --provider-id <id>             authenticator id (default ${DEFAULT_PROVIDER_ID})
  --timeout-ms <ms>              per admin request (default 15000)
`;

/** Login to the admin API: password grant with admin-cli, or client credentials. */
export type AdminLogin =
  | { readonly kind: 'password'; readonly username: string; readonly password: string }
  | { readonly kind: 'client'; readonly clientId: string; readonly clientSecret: string };

export interface CliOptions {
  readonly url: string;
  readonly authRealm: string;
  readonly login: AdminLogin;
  readonly timeoutMs: number;
  readonly install: InstallOptions;
  /** Lines the admin should read before the install runs (stderr). */
  readonly warnings: readonly string[];
}

/** A bad command line; the message lists every problem. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const FLAGS = {
  url: { type: 'string' },
  realm: { type: 'string' },
  'auth-realm': { type: 'string' },
  'admin-user': { type: 'string' },
  'admin-password': { type: 'string' },
  'admin-client-id': { type: 'string' },
  'admin-client-secret': { type: 'string' },
  'bridge-url': { type: 'string' },
  'bridge-client-id': { type: 'string' },
  'bridge-client-secret': { type: 'string' },
  'bridge-client-secret-vault': { type: 'string' },
  'bridge-client-secret-env': { type: 'boolean' },
  'token-realm': { type: 'string' },
  'token-url': { type: 'string' },
  'phone-attribute': { type: 'string' },
  'missing-phone': { type: 'string' },
  'flow-alias': { type: 'string' },
  'provider-id': { type: 'string' },
  'timeout-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** Reads flags, then env vars for what flags leave out; throws a UsageError naming every problem. */
export function parseCli(argv: readonly string[], env: NodeJS.ProcessEnv): CliOptions | 'help' {
  const { values: v } = parseArgs({
    args: [...argv],
    options: FLAGS,
    strict: true,
    allowPositionals: false,
  });
  if (v.help) {
    return 'help';
  }
  const problems: string[] = [];
  const need = (flag: string, value: string | undefined, envName?: string): string => {
    if (!value) {
      problems.push(`--${flag}${envName ? ` (or ${envName})` : ''} is required`);
    }
    return value ?? '';
  };
  const url = need('url', v.url ?? env['KEYCLOAK_URL'], 'KEYCLOAK_URL').replace(/\/+$/, '');
  if (url && !isHttpUrl(url)) {
    problems.push(`--url must be an http(s) URL, not ${url}`);
  }
  const bridgeUrl = need(
    'bridge-url',
    v['bridge-url'] ?? env['SMS_MFA_BRIDGE_URL'],
    'SMS_MFA_BRIDGE_URL',
  ).replace(/\/+$/, '');
  if (bridgeUrl && !isHttpUrl(bridgeUrl)) {
    problems.push(`--bridge-url must be an http(s) URL, not ${bridgeUrl}`);
  }
  const tokenUrl = v['token-url'];
  if (tokenUrl && !isHttpUrl(tokenUrl)) {
    problems.push(`--token-url must be an http(s) URL, not ${tokenUrl}`);
  }
  const missingPhone = v['missing-phone'] ?? 'fail';
  if (missingPhone !== 'skip' && missingPhone !== 'fail') {
    problems.push(`--missing-phone must be skip or fail, not ${missingPhone}`);
  }
  const phoneAttribute = v['phone-attribute'] ?? 'mobile_number';
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(phoneAttribute)) {
    problems.push('--phone-attribute: letters, digits, . _ - only');
  }
  const timeoutMs = Number(v['timeout-ms'] ?? 15_000);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100) {
    problems.push('--timeout-ms must be an integer >= 100');
  }
  const login = parseLogin(v, env, problems);
  const secret = parseBridgeSecret(v, env, problems);
  const install: InstallOptions = {
    realm: need('realm', v.realm ?? env['KEYCLOAK_REALM'], 'KEYCLOAK_REALM'),
    flowAlias: v['flow-alias'] ?? DEFAULT_FLOW_ALIAS,
    providerId: v['provider-id'] ?? DEFAULT_PROVIDER_ID,
    bridgeUrl,
    bridgeClientId: need(
      'bridge-client-id',
      v['bridge-client-id'] ?? env['SMS_MFA_BRIDGE_CLIENT_ID'],
      'SMS_MFA_BRIDGE_CLIENT_ID',
    ),
    bridgeClientSecret: secret.value,
    tokenRealm: v['token-realm'] ?? 'mfa',
    tokenUrl: tokenUrl?.replace(/\/+$/, ''),
    phoneAttribute,
    missingPhone: missingPhone as InstallOptions['missingPhone'],
  };
  if (problems.length) {
    throw new UsageError(problems.join('\n'));
  }
  return {
    url,
    authRealm: v['auth-realm'] ?? 'master',
    login: login!,
    timeoutMs,
    install,
    warnings: secret.source === 'plain' ? [PLAIN_SECRET_WARNING] : [],
  };
}

type Values = ReturnType<typeof parseArgs<{ options: typeof FLAGS }>>['values'];

/** Where the script finds the bridge client secret, and the attribute value that says so. */
interface BridgeSecretChoice {
  readonly source: 'vault' | 'env' | 'plain';
  readonly value: string | undefined;
}

const SECRET_FLAGS = [
  '--bridge-client-secret-vault <key>',
  '--bridge-client-secret-env',
  '--bridge-client-secret <secret>',
];

/** Vault keys name files in the file vault: no path separators, nothing a shell would mangle. */
const VAULT_KEY = /^[A-Za-z0-9._-]{1,128}$/;

const PLAIN_SECRET_WARNING = `warning: the bridge client secret is stored in the realm attribute ${SECRET_ATTRIBUTE}, which every admin who can view the realm can read; prefer --bridge-client-secret-vault <key> (Keycloak's vault) or --bridge-client-secret-env`;

function parseBridgeSecret(
  v: Values,
  env: NodeJS.ProcessEnv,
  problems: string[],
): BridgeSecretChoice {
  const key = v['bridge-client-secret-vault'];
  const plain = v['bridge-client-secret'];
  const chosen = [key !== undefined, v['bridge-client-secret-env'] === true, plain !== undefined];
  if (chosen.filter(Boolean).length > 1) {
    problems.push(`give only one of ${SECRET_FLAGS.join(', ')}`);
  }
  if (key !== undefined) {
    if (!VAULT_KEY.test(key)) {
      problems.push('--bridge-client-secret-vault: a vault key of letters, digits, . _ - only');
    }
    return { source: 'vault', value: vaultReference(key) };
  }
  if (v['bridge-client-secret-env']) {
    return { source: 'env', value: undefined };
  }
  const value = plain ?? env['SMS_MFA_BRIDGE_CLIENT_SECRET'];
  if (!value) {
    problems.push(
      `one of ${SECRET_FLAGS.join(', ')} (or SMS_MFA_BRIDGE_CLIENT_SECRET) is required`,
    );
  }
  return { source: 'plain', value };
}

/** The file Keycloak's file vault reads `key` from for `realm` (its default key resolver). */
export function vaultFileName(realm: string, key: string): string {
  return `${realm.replace(/_/g, '__')}_${key.replace(/_/g, '__')}`;
}

function parseLogin(v: Values, env: NodeJS.ProcessEnv, problems: string[]): AdminLogin | undefined {
  const username = v['admin-user'] ?? env['KEYCLOAK_ADMIN_USER'];
  const password = v['admin-password'] ?? env['KEYCLOAK_ADMIN_PASSWORD'];
  const clientId = v['admin-client-id'] ?? env['KEYCLOAK_ADMIN_CLIENT_ID'];
  const clientSecret = v['admin-client-secret'] ?? env['KEYCLOAK_ADMIN_CLIENT_SECRET'];
  if (clientId && clientSecret && !v['admin-user']) {
    return { kind: 'client', clientId, clientSecret };
  }
  if (username && password) {
    return { kind: 'password', username, password };
  }
  problems.push(
    'give --admin-user and --admin-password, or --admin-client-id and --admin-client-secret (or their env vars)',
  );
  return undefined;
}

/** Turns an admin-API failure into one sentence the admin can act on. */
export function explain(err: unknown, o: Pick<CliOptions, 'url' | 'authRealm' | 'login'>): string {
  if (err instanceof InstallError || err instanceof UsageError) {
    return err.message;
  }
  if (err instanceof NetworkError) {
    const status = err.response.status;
    const path = new URL(err.response.url).pathname;
    if (path.endsWith('/protocol/openid-connect/token')) {
      const who =
        o.login.kind === 'password'
          ? `user "${o.login.username}" (client admin-cli)`
          : `client "${o.login.clientId}"`;
      return `Keycloak refused the admin login for ${who} in realm "${o.authRealm}" (HTTP ${status}: ${err.message}); check the credentials`;
    }
    if (status === 401 || status === 403) {
      return `the admin account may not do ${path} (HTTP ${status}); it needs the realm-management role manage-realm (or the admin role)`;
    }
    return `Keycloak answered HTTP ${status} to ${path}: ${err.message}`;
  }
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `Keycloak at ${o.url} did not answer in time`;
  }
  if (err instanceof TypeError && err.message === 'fetch failed') {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return `cannot reach Keycloak at ${o.url} (${cause?.code ?? cause?.message ?? 'network error'}); is it running, and is --url right?`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Where the admin puts the secret when the attribute names a vault entry. */
function vaultHint(o: InstallOptions): string | undefined {
  const key = /^\$\{vault\.(.+)\}$/.exec(o.bridgeClientSecret ?? '')?.[1];
  if (key === undefined) {
    return undefined;
  }
  return `the script reads the bridge client secret from Keycloak's vault entry "${key}"; with the file vault (kc.sh start --vault=file --vault-dir=<dir>) put it in <dir>/${vaultFileName(o.realm, key)}`;
}

/** Logs in and installs; returns the steps' results. */
export async function runInstall(o: CliOptions): Promise<StepResult[]> {
  const admin = new KeycloakAdminClient({
    baseUrl: o.url,
    realmName: o.authRealm,
    timeout: o.timeoutMs,
  });
  await admin.auth(
    o.login.kind === 'password'
      ? {
          grantType: 'password',
          clientId: 'admin-cli',
          username: o.login.username,
          password: o.login.password,
        }
      : {
          grantType: 'client_credentials',
          clientId: o.login.clientId,
          clientSecret: o.login.clientSecret,
        },
  );
  return installSmsStep(admin, o.install);
}

/** The CLI: prints one line per step; exit 0 done, 1 failed, 2 bad usage. */
export async function main(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  out = console.log,
  err = console.error,
): Promise<number> {
  let options: CliOptions | 'help';
  try {
    options = parseCli(argv, env);
  } catch (e) {
    err(`${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    out(USAGE);
    return 0;
  }
  for (const warning of options.warnings) {
    err(warning);
  }
  try {
    const steps = await runInstall(options);
    for (const s of steps) {
      out(`${s.changed ? 'changed ' : 'ok      '} ${s.step.padEnd(12)} ${s.detail}`);
    }
    const changed = steps.filter((s) => s.changed).length;
    out(
      changed
        ? `done: ${changed} change(s) in realm "${options.install.realm}"`
        : `done: realm "${options.install.realm}" was already set up, nothing changed`,
    );
    const hint = vaultHint(options.install);
    if (hint) {
      out(hint);
    }
    return 0;
  } catch (e) {
    err(`keycloak:install failed: ${explain(e, options)}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
