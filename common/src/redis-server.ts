import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisOptions } from 'ioredis';

/** A redis-server process this program started and owns. */
export interface LocalRedis {
  readonly url: string;
  readonly port: number;
  /** SIGTERM (Redis flushes its AOF), then SIGKILL after a grace period. */
  stop(): Promise<void>;
}

/** Options for {@link startLocalRedis}. */
export interface LocalRedisOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Data directory; without it Redis keeps nothing on disk. */
  readonly dataDir?: string;
  readonly appendOnly?: boolean;
  /** More redis-server arguments, e.g. `--cluster-enabled yes` for a cluster node. */
  readonly extraArgs?: readonly string[];
  /** TLS only (no plain port; replication and the cluster bus too), with this certificate and CA. */
  readonly tls?: LocalRedisTls;
  /** A password clients (and replicas, of their master) must give. */
  readonly password?: string;
}

/** PEM files for a TLS redis-server; clients are not asked for a certificate unless told. */
export interface LocalRedisTls {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
  /**
   * Clients must present a certificate signed by `caFile` (`tls-auth-clients yes`, Redis' own
   * default). The server's certificate must then be valid for clientAuth too: it is what the
   * server presents to its master and cluster peers, and what this harness' probes present.
   */
  readonly requireClientCertificates?: boolean;
}

const INSTALL_HINT =
  'redis-server not found. Install it: `apt-get install redis-server` (Debian/Ubuntu), ' +
  '`brew install redis` (macOS), or set REDIS_URL to a running Redis 6.2+.';

/** Finds the redis-server binary on PATH or in the usual Debian places. */
export function findRedisServer(pathEnv = process.env['PATH'] ?? ''): string {
  const dirs = [...pathEnv.split(delimiter), '/usr/bin', '/usr/sbin', '/usr/local/bin'];
  for (const dir of dirs) {
    const candidate = join(dir, 'redis-server');
    if (dir && existsSync(candidate)) {
      return candidate;
    }
  }
  throw new Error(INSTALL_HINT);
}

/** Asks the OS for a free loopback TCP port. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Whether something on this machine accepts TCP connections on `port` (loopback). */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => {
      socket.destroy();
      done(true);
    });
    socket.on('error', () => done(false));
  });
}

/** Starts redis-server on loopback and resolves once it answers PING. */
export async function startLocalRedis(options: LocalRedisOptions = {}): Promise<LocalRedis> {
  const port = options.port || (await freePort());
  const args = [
    ...listenArgs(port, options.tls),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
  ];
  if (options.password) {
    args.push('--requirepass', options.password, '--masterauth', options.password);
  }
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    args.push('--dir', options.dataDir);
  }
  args.push('--appendonly', options.appendOnly && options.dataDir ? 'yes' : 'no');
  args.push(...(options.extraArgs ?? []));
  const child = spawn(findRedisServer(), args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitForPing(port, child, probeOptions(options));
  const scheme = options.tls ? 'rediss' : 'redis';
  return { url: `${scheme}://127.0.0.1:${port}`, port, stop: () => stopChild(child, exited) };
}

function listenArgs(port: number, tls: LocalRedisTls | undefined): string[] {
  if (!tls) {
    return ['--port', String(port)];
  }
  return [
    ...['--port', '0', '--tls-port', String(port)],
    ...['--tls-auth-clients', tls.requireClientCertificates ? 'yes' : 'no'],
    ...['--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile],
    ...['--tls-ca-cert-file', tls.caFile, '--tls-replication', 'yes', '--tls-cluster', 'yes'],
  ];
}

/** How a client reaches a server started with `options`: TLS trusting its CA (presenting its certificate when asked), its password. */
export function probeOptions(options: Pick<LocalRedisOptions, 'tls' | 'password'>): RedisOptions {
  return {
    ...(options.tls ? { tls: probeTls(options.tls) } : {}),
    ...(options.password ? { password: options.password } : {}),
  };
}

function probeTls(tls: LocalRedisTls): NonNullable<RedisOptions['tls']> {
  const ca = readFileSync(tls.caFile);
  if (!tls.requireClientCertificates) {
    return { ca };
  }
  return { ca, cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) };
}

async function waitForPing(
  port: number,
  child: ChildProcess,
  options: RedisOptions,
): Promise<void> {
  const { Redis } = await import('ioredis');
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) {
      throw new Error(`redis-server exited with ${child.exitCode} (port ${port} in use?)`);
    }
    const probe = new Redis(port, '127.0.0.1', {
      ...options,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on('error', () => undefined); // refused until the server listens: expected, not worth a warning
    try {
      await probe.connect();
      await probe.ping();
      return;
    } catch {
      await sleep(25);
    } finally {
      probe.disconnect();
    }
  }
  child.kill('SIGKILL');
  throw new Error(`redis-server did not answer on port ${port}`);
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null) {
    return;
  }
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}
