// The embedded default's processes, for `npm start` and `npm run keycloak`: a local redis-server
// (unless REDIS_URL is set) with its data under .data/ (append-only file on), then the reference
// API, its worker and the bridge as child processes. Stops them all together.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  freePort,
  portInUse,
  startLocalRedis,
  type LocalRedis,
} from '@sms-mfa/common/redis-server';
import { checkStartEnv } from './check-start-env.js';

const root = resolve(import.meta.dirname, '..');

/** A problem the user can fix, said in one line. */
export class StartError extends Error {
  override readonly name = 'StartError';
}

/** The running embedded default. */
export interface Stack {
  readonly redisUrl: string;
  /** Set when this stack started redis-server itself. */
  readonly redisDataDir: string | undefined;
  readonly referencePort: string;
  readonly bridgePort: string;
  readonly demo: { readonly id: string; readonly secret: string };
  /** The `mfa:admin` client that signs in to /admin and calls the admin API. */
  readonly admin: { readonly id: string; readonly secret: string };
  /** Stops every process (SIGTERM, then a 15 s limit) and the local Redis. */
  stop(): Promise<void>;
  /** Called once if a process exits on its own (the stack is then stopped). */
  onCrash(listener: (name: string, how: string) => void): void;
}

/** Refuses to start when a fixed port is taken, naming the variable that moves it. */
export async function requireFreePort(port: number, variable: string): Promise<void> {
  if (await portInUse(port)) {
    throw new StartError(
      `port ${port} is already in use: stop what listens there, or set ${variable} to another port`,
    );
  }
}

/** The Redis the services use: REDIS_CLUSTER_NODES's cluster, REDIS_URL's server, or a local one started here. */
async function ensureRedis(
  dataDir: string,
): Promise<{ url: string; env: Record<string, string>; local?: LocalRedis }> {
  const cluster = process.env['REDIS_CLUSTER_NODES'];
  if (cluster) {
    return { url: `the Redis Cluster at ${cluster}`, env: { REDIS_CLUSTER_NODES: cluster } };
  }
  if (process.env['REDIS_URL']) {
    const url = process.env['REDIS_URL'];
    // printed at start: never the password
    return { url: url.replace(/\/\/[^@]*@/, '//***@'), env: { REDIS_URL: url } };
  }
  const deps = spawnSync('bash', [resolve(root, 'scripts/ensure-system-deps.sh'), '--redis-only'], {
    stdio: 'inherit',
  });
  if (deps.status !== 0) {
    throw new StartError('redis-server is missing (see above)');
  }
  const preferred = Number(process.env['EMBEDDED_REDIS_PORT'] ?? 6390);
  const port = (await portInUse(preferred)) ? await freePort() : preferred;
  const local = await startLocalRedis({
    port,
    dataDir: resolve(dataDir, 'redis'),
    appendOnly: true,
  });
  return { url: local.url, env: { REDIS_URL: local.url }, local };
}

/**
 * A client the bridge creates at start-up (`demo`: BRIDGE_DEMO_CLIENT_ID / _SECRET, default id
 * demo-app; `admin`: BRIDGE_ADMIN_CLIENT_ID / _SECRET, default id admin): from the environment, or
 * made once and kept under .data/.
 */
function startupClient(dataDir: string, kind: 'demo' | 'admin'): { id: string; secret: string } {
  const variable = `BRIDGE_${kind.toUpperCase()}_CLIENT`;
  const id = process.env[`${variable}_ID`] ?? (kind === 'demo' ? 'demo-app' : 'admin');
  if (process.env[`${variable}_SECRET`]) {
    return { id, secret: process.env[`${variable}_SECRET`]! };
  }
  const file = resolve(dataDir, `${kind}-client.json`);
  if (existsSync(file)) {
    return JSON.parse(readFileSync(file, 'utf8')) as { id: string; secret: string };
  }
  const client = { id, secret: randomBytes(18).toString('base64url') };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(client), { mode: 0o600 });
  return client;
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    ) {
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new StartError(`${url} did not become ready within 30 s (see the lines above)`);
}

/** Starts Redis, the reference API, its worker and the bridge, and waits until they answer. */
export async function startStack(): Promise<Stack> {
  const problem = checkStartEnv(process.env);
  if (problem) {
    throw new StartError(problem);
  }
  const refPort = process.env['REFERENCE_API_PORT'] ?? '3412';
  const bridgePort = process.env['BRIDGE_PORT'] ?? '3000';
  await requireFreePort(Number(refPort), 'REFERENCE_API_PORT');
  await requireFreePort(Number(bridgePort), 'BRIDGE_PORT');
  const dataDir = resolve(root, process.env['DATA_DIR'] ?? '.data');
  const redis = await ensureRedis(dataDir);
  const children: { name: string; child: ChildProcess }[] = [];
  const crashListeners: ((name: string, how: string) => void)[] = [];
  let stopping = false;
  const stop = async () => {
    stopping = true;
    const exits = children
      .filter((c) => c.child.exitCode === null && c.child.signalCode === null)
      .map(({ child }) => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))));
    await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 15_000))]);
    await redis.local?.stop();
  };
  const launch = (name: string, script: string, args: string[], env: Record<string, string>) => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', resolve(root, script), ...args],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    child.on('exit', (code, signal) => {
      if (stopping) {
        return;
      }
      for (const listener of crashListeners.splice(0)) {
        listener(name, String(code ?? signal));
      }
    });
    children.push({ name, child });
  };
  const demo = startupClient(dataDir, 'demo');
  const admin = startupClient(dataDir, 'admin');
  const env = { ...redis.env, DATA_DIR: dataDir };
  launch('reference-api', 'reference-api/src/start.ts', ['--role', 'api'], env);
  launch('reference-api worker', 'reference-api/src/start.ts', ['--role', 'worker'], env);
  launch('bridge', 'bridge/src/start.ts', [], {
    ...env,
    REFERENCE_API_URL: `http://127.0.0.1:${refPort}`,
    // Same Redis, same DATA_DIR (so the same message key): codes go on the queue directly, no HTTP hop.
    REFERENCE_API_DIRECT_QUEUE: process.env['REFERENCE_API_DIRECT_QUEUE'] ?? 'true',
    BRIDGE_DEMO_CLIENT_ID: demo.id,
    BRIDGE_DEMO_CLIENT_SECRET: demo.secret,
    BRIDGE_ADMIN_CLIENT_ID: admin.id,
    BRIDGE_ADMIN_CLIENT_SECRET: admin.secret,
  });
  const stack: Stack = {
    redisUrl: redis.url,
    redisDataDir: redis.local ? resolve(dataDir, 'redis') : undefined,
    referencePort: refPort,
    bridgePort,
    demo,
    admin,
    stop,
    onCrash: (listener) => void crashListeners.push(listener),
  };
  try {
    await waitFor(`http://127.0.0.1:${refPort}/readyz`);
    await waitFor(`http://127.0.0.1:${bridgePort}/readyz`);
  } catch (err) {
    await stop();
    throw err;
  }
  return stack;
}

/**
 * Runs `main` with the stack's usual ending: a StartError is one plain line and exit 1; a
 * process that dies stops everything; Ctrl-C or SIGTERM calls `shutdown` and exits 0.
 */
export function runLauncher(main: () => Promise<{ shutdown(): Promise<void> }>): void {
  main().then(
    (running) => {
      let done = false;
      const end = (code: number) => {
        if (done) {
          return;
        }
        done = true;
        void running.shutdown().then(() => process.exit(code));
      };
      process.on('SIGINT', () => end(0));
      process.on('SIGTERM', () => end(0));
    },
    (err: unknown) => {
      console.error(err instanceof StartError ? err.message : err);
      process.exit(1);
    },
  );
}
