// Keycloak's server distribution from Maven Central (org.keycloak:keycloak-quarkus-dist): fetched
// once through Maven into ~/.m2, unpacked into a cache folder, and the server's build (Quarkus
// augmentation) kept there per set of provider jars so that a start can skip it.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../../..');

/** The Keycloak the project pins: the newest 26.x Maven Central served when it was chosen. */
export const KEYCLOAK_VERSION = '26.7.4';
/** A 26.x older than 26.4, whose script API has only the older broker SimpleHttp. */
export const KEYCLOAK_COMPAT_VERSION = '26.3.5';

/** A problem the user can fix; the message is one plain line that says how. */
export class KeycloakSetupError extends Error {
  override readonly name = 'KeycloakSetupError';
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
  if (deps.status !== 0) {
    throw new KeycloakSetupError(
      deps.stderr.trim().split('\n').join(' ') || 'Java 17+ and Maven are needed',
    );
  }
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
  if (existsSync(archive)) {
    return archive;
  }
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
  if (mvn.status !== 0 || !existsSync(archive)) {
    throw new KeycloakSetupError(
      `Maven could not fetch org.keycloak:keycloak-quarkus-dist:${version}:tar.gz: ${mavenSaid(`${mvn.stdout}\n${mvn.stderr}`) || `mvn exited with ${mvn.status}`}`,
    );
  }
  return archive;
}

/** What Maven answered, in one line: its first error, without the goal that failed. */
function mavenSaid(output: string): string {
  const first = output
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .find((l) => l.startsWith('[ERROR]') && l.length > '[ERROR] '.length);
  if (!first) {
    return '';
  }
  const said = first.replace(/^\[ERROR\]\s*/, '');
  const cause = said.indexOf('Could not');
  const afterGoal = said.indexOf('standalone-pom: ');
  if (cause >= 0) {
    return said.slice(cause);
  }
  return afterGoal >= 0 ? said.slice(afterGoal + 'standalone-pom: '.length) : said;
}

/** The unpacked distribution in the cache folder (fetched and unpacked on first use). */
export function distribution(version = KEYCLOAK_VERSION): string {
  const dir = join(cacheDir(), `keycloak-${version}`);
  if (existsSync(join(dir, 'bin', 'kc.sh'))) {
    return dir;
  }
  const archive = fetchArchive(version);
  mkdirSync(cacheDir(), { recursive: true });
  const scratch = mkdtempSync(join(cacheDir(), '.unpack-'));
  const tar = spawnSync('tar', ['-xzf', archive, '-C', scratch], { encoding: 'utf8' });
  if (tar.status !== 0) {
    throw new KeycloakSetupError(`could not unpack ${archive}: ${tar.stderr.trim()}`);
  }
  // Renamed into place only when whole, so an interrupted unpack is never taken for a good one.
  rmSync(dir, { recursive: true, force: true });
  renameSync(join(scratch, `keycloak-${version}`), dir);
  rmSync(scratch, { recursive: true, force: true });
  return dir;
}

/**
 * Where the server's build (Quarkus augmentation, ~30 s on 2 cores) is kept for one set of
 * providers: start-dev skips it when lib/quarkus already matches the providers' names and times.
 */
export function buildCache(version: string, providers: readonly string[]): string {
  const hash = createHash('sha256').update(`${version} start-dev --features=scripts`);
  for (const jar of providers) {
    hash.update(basename(jar)).update(readFileSync(jar));
  }
  return join(cacheDir(), 'builds', `keycloak-${version}-${hash.digest('hex').slice(0, 16)}`);
}

/** A fixed time per jar content: the same jar always looks unchanged, another one changed. */
export function stampJar(file: string): void {
  const digest = createHash('sha256').update(readFileSync(file)).digest();
  const when = new Date(Date.UTC(2001, 0, 1) + (digest.readUInt32BE(0) % 3e8) * 1000);
  utimesSync(file, when, when);
}

const KEPT_BUILDS = 4;

/** Saves the build a start made, for the next start with the same providers; keeps the newest few. */
export function keepBuild(home: string, build: string): void {
  if (existsSync(build)) {
    return;
  }
  const scratch = `${build}.${process.pid}`;
  cpSync(join(home, 'lib', 'quarkus'), scratch, { recursive: true });
  renameSync(scratch, build);
  const dir = dirname(build);
  const prefix = basename(build).replace(/-[0-9a-f]{16}$/, '-');
  const builds = readdirSync(dir)
    .filter((name) => name.startsWith(prefix) && /-[0-9a-f]{16}$/.test(name))
    .map((name) => ({ path: join(dir, name), mtimeMs: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.mtimeMs - a.mtimeMs);
  for (const old of builds.slice(KEPT_BUILDS)) {
    rmSync(old.path, { recursive: true, force: true });
  }
}
