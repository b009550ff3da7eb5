// A real Keycloak, the way the tests and `npm run keycloak` use it: the server distribution from
// Maven Central (org.keycloak:keycloak-quarkus-dist), fetched once and unpacked into a cache
// folder; each start runs a private copy of it (its own providers/, data/ and vault/) with
// `kc.sh start-dev --features=scripts`, waits until it answers, and stops it with its whole
// process group. A watchdog ends the JVM when the process that started it dies, even by SIGKILL.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  closeSync,
  readdirSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { createConnection } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '@sms-mfa/common/redis-server';

/** The Keycloak the project pins: the newest 26.x Maven Central served when it was chosen. */
export const KEYCLOAK_VERSION = '26.7.3';
/** A 26.x older than 26.4, whose script API has only the older broker SimpleHttp. */
export const KEYCLOAK_COMPAT_VERSION = '26.3.5';

const ROOT = resolve(import.meta.dirname, '../..');
const START_TIMEOUT_MS = 600_000;
const STOP_GRACE_MS = 20_000;

/** A problem the user can fix; the message is one plain line that says how. */
export class KeycloakSetupError extends Error {
  override readonly name = 'KeycloakSetupError';
}

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
  /** Echo the server's output here as well as keeping it in the log file. */
  readonly echo?: boolean;
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

/** Where downloaded and unpacked distributions are kept: SMS_MFA_CACHE_DIR, else ~/.cache/sms-mfa. */
export function cacheDir(): string {
  const base =
    process.env['SMS_MFA_CACHE_DIR'] ??
    join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'sms-mfa');
  return resolve(base);
}

/** Checks that Java 17+ and Maven are on PATH (scripts/ensure-system-deps.sh installs them as root). */
export function requireJavaAndMaven(): void {
  const deps = spawnSync('bash', [join(ROOT, 'scripts/ensure-system-deps.sh'), '--keycloak'], {
    stdio: ['ignore', 'inherit', 'pipe'],
    encoding: 'utf8',
  });
  if (deps.status !== 0)
    throw new KeycloakSetupError(
      deps.stderr.trim().split('\n').join(' ') || 'Java 17+ and Maven are needed',
    );
}

function mavenArtifact(version: string): string {
  return join(
    homedir(),
    '.m2/repository/org/keycloak/keycloak-quarkus-dist',
    version,
    `keycloak-quarkus-dist-${version}.tar.gz`,
  );
}

/** Brings the distribution's tar.gz into ~/.m2 through Maven (nothing is downloaded when it is there). */
function fetchArchive(version: string): string {
  const archive = mavenArtifact(version);
  if (existsSync(archive)) return archive;
  requireJavaAndMaven();
  const scratch = mkdtempSync(join(tmpdir(), 'kc-fetch-'));
  console.error(`fetching Keycloak ${version} from Maven Central (about 170 MB, once)…`);
  const mvn = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-Dstyle.color=never',
      'dependency:copy',
      `-Dartifact=org.keycloak:keycloak-quarkus-dist:${version}:tar.gz`,
      `-DoutputDirectory=${scratch}`,
    ],
    { encoding: 'utf8' },
  );
  rmSync(scratch, { recursive: true, force: true });
  if (mvn.status !== 0 || !existsSync(archive))
    throw new KeycloakSetupError(
      `Maven could not fetch org.keycloak:keycloak-quarkus-dist:${version}:tar.gz: ${mavenSaid(`${mvn.stdout}\n${mvn.stderr}`) || `mvn exited with ${mvn.status}`}`,
    );
  return archive;
}

/** What Maven answered, in one line: its first error, without the goal that failed. */
function mavenSaid(output: string): string {
  const first = output
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .find((l) => l.startsWith('[ERROR]') && l.length > '[ERROR] '.length);
  if (!first) return '';
  const said = first.replace(/^\[ERROR\]\s*/, '');
  const cause = said.indexOf('Could not');
  const afterGoal = said.indexOf('standalone-pom: ');
  if (cause >= 0) return said.slice(cause);
  return afterGoal >= 0 ? said.slice(afterGoal + 'standalone-pom: '.length) : said;
}

/** The unpacked distribution in the cache folder (fetched and unpacked on first use). */
export function distribution(version = KEYCLOAK_VERSION): string {
  const dir = join(cacheDir(), `keycloak-${version}`);
  if (existsSync(join(dir, 'bin', 'kc.sh'))) return dir;
  const archive = fetchArchive(version);
  mkdirSync(cacheDir(), { recursive: true });
  const scratch = mkdtempSync(join(cacheDir(), '.unpack-'));
  const tar = spawnSync('tar', ['-xzf', archive, '-C', scratch], { encoding: 'utf8' });
  if (tar.status !== 0)
    throw new KeycloakSetupError(`could not unpack ${archive}: ${tar.stderr.trim()}`);
  // Renamed into place only when whole, so an interrupted unpack is never taken for a good one.
  rmSync(dir, { recursive: true, force: true });
  renameSync(join(scratch, `keycloak-${version}`), dir);
  rmSync(scratch, { recursive: true, force: true });
  return dir;
}

function portTaken(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => {
      socket.destroy();
      done(true);
    });
    socket.on('error', () => done(false));
  });
}

/**
 * Where the server's build (Quarkus augmentation, ~30 s on 2 cores) is kept for one set of
 * providers: start-dev skips it when lib/quarkus already matches the providers' names and times.
 */
function buildCache(version: string, providers: readonly string[]): string {
  const hash = createHash('sha256').update(`${version} start-dev --features=scripts`);
  for (const jar of providers) hash.update(basename(jar)).update(readFileSync(jar));
  return join(cacheDir(), 'builds', `keycloak-${version}-${hash.digest('hex').slice(0, 16)}`);
}

/** A fixed time per jar content: the same jar always looks unchanged, another one changed. */
function stampJar(file: string): void {
  const digest = createHash('sha256').update(readFileSync(file)).digest();
  const when = new Date(Date.UTC(2001, 0, 1) + (digest.readUInt32BE(0) % 3e8) * 1000);
  utimesSync(file, when, when);
}

/** Copies the cached distribution into `home` (once) and puts the providers, realms and vault in place. */
function prepareHome(dist: string, home: string, options: KeycloakOptions, build: string): void {
  if (!existsSync(join(home, 'bin', 'kc.sh'))) {
    cpSync(dist, home, { recursive: true });
    if (existsSync(build)) cpSync(build, join(home, 'lib', 'quarkus'), { recursive: true });
  }
  for (const jar of options.providers ?? []) {
    const target = join(home, 'providers', basename(jar));
    cpSync(jar, target);
    stampJar(target);
  }
  const imports = join(home, 'data', 'import');
  rmSync(imports, { recursive: true, force: true });
  mkdirSync(imports, { recursive: true });
  for (const file of options.realmFiles ?? []) cpSync(file, join(imports, basename(file)));
  const vault = join(home, 'vault');
  mkdirSync(vault, { recursive: true, mode: 0o700 });
  for (const [name, value] of Object.entries(options.vault ?? {}))
    writeFileSync(join(vault, name), value, { mode: 0o600 });
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
  if (await portTaken(port))
    throw new KeycloakSetupError(
      `port ${port} is already in use: stop what listens there or set KEYCLOAK_PORT to another port`,
    );
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
    if (!options.home) rmSync(home, { recursive: true, force: true });
  };
  const echo = options.echo ? tail(logFile) : undefined;
  try {
    await waitUntilReady(url, exited, logs);
  } catch (err) {
    echo?.stop();
    await stop();
    throw err;
  }
  echo?.stop();
  keepBuild(home, build);
  return { url, port, version, home, logFile, admin, logs, stop };
}

const KEPT_BUILDS = 4;

/** Saves the build a start made, for the next start with the same providers; keeps the newest few. */
function keepBuild(home: string, build: string): void {
  if (existsSync(build)) return;
  const scratch = `${build}.${process.pid}`;
  cpSync(join(home, 'lib', 'quarkus'), scratch, { recursive: true });
  renameSync(scratch, build);
  const dir = dirname(build);
  const prefix = basename(build).replace(/-[0-9a-f]{16}$/, '-');
  const builds = readdirSync(dir)
    .filter((name) => name.startsWith(prefix) && /-[0-9a-f]{16}$/.test(name))
    .map((name) => ({ path: join(dir, name), mtimeMs: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const old of builds.slice(KEPT_BUILDS)) rmSync(old.path, { recursive: true, force: true });
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
    if (gone) throw new KeycloakSetupError(`Keycloak stopped while starting: ${lastError(logs())}`);
    const ok = await fetch(`${url}/realms/master`, { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
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

/** Prints a file's new lines as they come (the server's start-up, for the CLI). */
function tail(file: string): { stop(): void } {
  let offset = 0;
  const timer = setInterval(() => {
    if (!existsSync(file)) return;
    const text = readFileSync(file, 'utf8');
    process.stderr.write(text.slice(offset));
    offset = text.length;
  }, 500);
  return { stop: () => clearInterval(timer) };
}

function randomPassword(): string {
  return randomBytes(12).toString('base64url');
}
