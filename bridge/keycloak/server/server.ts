// A real Keycloak, the way the tests and `npm run keycloak` use it: each start runs a private copy
// of the cached distribution (keycloak-distribution.ts) with its own providers/, data/ and vault/,
// as `kc.sh start-dev --features=scripts`, waits until it answers, and stops it with its whole
// process group. A watchdog ends the JVM when the process that started it dies, even by SIGKILL.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, portInUse } from '@sms-mfa/common/redis-server';
import {
  buildCache,
  distribution,
  keepBuild,
  KEYCLOAK_VERSION,
  KeycloakSetupError,
  requireJavaAndMaven,
  stampJar,
} from './distribution.js';

export {
  distribution,
  KEYCLOAK_COMPAT_VERSION,
  KEYCLOAK_VERSION,
  KeycloakSetupError,
  requireJavaAndMaven,
} from './distribution.js';

const START_TIMEOUT_MS = 600_000;
const STOP_GRACE_MS = 20_000;

/** Options for {@link startKeycloak}. */
export interface KeycloakOptions {
  readonly version?: string;
  /** HTTP port; 0 (default) picks a free one. */
  readonly port?: number;
  /** A home to keep between runs (data, built state); default: a throw-away folder removed on stop. */
  readonly home?: string;
  /** Provider jars to put into providers/. */
  readonly providers?: readonly string[];
  /** Realm files to import at start-up (`--import-realm`); realms that exist are kept. */
  readonly realmFiles?: readonly string[];
  /** Entries of Keycloak's file vault: `{ "<realm>_<key>": value }` (`--vault=file`). */
  readonly vault?: Readonly<Record<string, string>>;
  /** Extra environment for the server (e.g. SMS_MFA_* settings of the script). */
  readonly env?: Readonly<Record<string, string>>;
  /** The bootstrap admin's password; default: generated. */
  readonly adminPassword?: string;
}

/** A Keycloak this process started. */
export interface RunningKeycloak {
  readonly url: string;
  readonly port: number;
  readonly version: string;
  readonly home: string;
  readonly logFile: string;
  readonly admin: { readonly username: string; readonly password: string };
  /** The server's output so far. */
  logs(): string;
  /** Stops the server (SIGTERM, then SIGKILL after a grace period) and removes a throw-away home. */
  stop(): Promise<void>;
}

/** Copies the cached distribution into `home` (once) and puts the providers, realms and vault in place. */
function prepareHome(dist: string, home: string, options: KeycloakOptions, build: string): void {
  if (!existsSync(join(home, 'bin', 'kc.sh'))) {
    cpSync(dist, home, { recursive: true });
    if (existsSync(build)) {
      cpSync(build, join(home, 'lib', 'quarkus'), { recursive: true });
    }
  }
  for (const jar of options.providers ?? []) {
    const target = join(home, 'providers', basename(jar));
    cpSync(jar, target);
    stampJar(target);
  }
  const imports = join(home, 'data', 'import');
  rmSync(imports, { recursive: true, force: true });
  mkdirSync(imports, { recursive: true });
  for (const file of options.realmFiles ?? []) {
    cpSync(file, join(imports, basename(file)));
  }
  const vault = join(home, 'vault');
  mkdirSync(vault, { recursive: true, mode: 0o700 });
  for (const [name, value] of Object.entries(options.vault ?? {})) {
    writeFileSync(join(vault, name), value, { mode: 0o600 });
  }
}

// Runs kc.sh in the background and ends it when the parent (argument 1) is gone; then removes
// the throw-away home (argument 2, empty for a kept one) if the parent could not.
const WATCHDOG = `
parent=$1; scratch=$2; shift 2
"$@" &
kc=$!
trap 'kill -TERM $kc 2>/dev/null; wait $kc; exit 143' TERM INT
while kill -0 "$parent" 2>/dev/null && kill -0 "$kc" 2>/dev/null; do sleep 1; done
kill -0 "$kc" 2>/dev/null && kill -TERM "$kc"
wait "$kc"
if [ -n "$scratch" ] && ! kill -0 "$parent" 2>/dev/null; then rm -rf -- "$scratch"; fi
`;

function serverArgs(port: number, options: KeycloakOptions, home: string): string[] {
  return [
    'start-dev',
    '--features=scripts',
    `--http-port=${port}`,
    '--http-host=127.0.0.1',
    '--vault=file',
    `--vault-dir=${join(home, 'vault')}`,
    ...((options.realmFiles ?? []).length ? ['--import-realm'] : []),
  ];
}

/** Starts Keycloak and resolves once its master realm answers. */
export async function startKeycloak(options: KeycloakOptions = {}): Promise<RunningKeycloak> {
  const version = options.version ?? KEYCLOAK_VERSION;
  const port = options.port || (await freePort());
  if (await portInUse(port)) {
    throw new KeycloakSetupError(
      `port ${port} is already in use: stop what listens there or set KEYCLOAK_PORT to another port`,
    );
  }
  requireJavaAndMaven();
  const dist = distribution(version);
  const home = options.home ?? mkdtempSync(join(tmpdir(), `keycloak-${version}-`));
  mkdirSync(home, { recursive: true });
  const build = buildCache(version, options.providers ?? []);
  prepareHome(dist, home, options, build);
  const logFile = join(home, 'keycloak.log');
  const log = openSync(logFile, 'w');
  const admin = { username: 'admin', password: options.adminPassword ?? randomPassword() };
  const child = spawn(
    'bash',
    [
      '-c',
      WATCHDOG,
      'keycloak-watchdog',
      String(process.pid),
      options.home ? '' : home,
      join(home, 'bin', 'kc.sh'),
      ...serverArgs(port, options, home),
    ],
    {
      cwd: home,
      detached: true,
      stdio: ['ignore', log, log],
      env: {
        ...process.env,
        ...options.env,
        KC_BOOTSTRAP_ADMIN_USERNAME: admin.username,
        KC_BOOTSTRAP_ADMIN_PASSWORD: admin.password,
        JAVA_OPTS_KC_HEAP: process.env['JAVA_OPTS_KC_HEAP'] ?? '-Xms128m -Xmx768m',
      },
    },
  );
  closeSync(log);
  const pgid = child.pid ?? 0;
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const killAll = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pgid, signal);
    } catch {
      /* already gone */
    }
  };
  const onExit = () => killAll('SIGKILL');
  process.once('exit', onExit);
  const logs = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : '');
  const url = `http://localhost:${port}`;
  const stop = async () => {
    killAll('SIGTERM');
    const timer = setTimeout(() => killAll('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
    killAll('SIGKILL');
    process.off('exit', onExit);
    if (!options.home) {
      rmSync(home, { recursive: true, force: true });
    }
  };
  try {
    await waitUntilReady(url, exited, logs);
  } catch (err) {
    await stop();
    throw err;
  }
  keepBuild(home, build);
  return { url, port, version, home, logFile, admin, logs, stop };
}

async function waitUntilReady(
  url: string,
  exited: Promise<void>,
  logs: () => string,
): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (gone) {
      throw new KeycloakSetupError(`Keycloak stopped while starting: ${lastError(logs())}`);
    }
    const ok = await fetch(`${url}/realms/master`, { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) {
      return;
    }
    await sleep(500);
  }
  throw new KeycloakSetupError(
    `Keycloak did not answer within ${START_TIMEOUT_MS / 1000} s: ${lastError(logs())}`,
  );
}

/** The most telling line of a failed start: its first ERROR, else its last line. */
function lastError(output: string): string {
  const lines = output.split('\n').filter((l) => l.trim());
  return (lines.find((l) => /\bERROR\b/.test(l)) ?? lines.at(-1) ?? 'no output').trim();
}

function randomPassword(): string {
  return randomBytes(12).toString('base64url');
}
