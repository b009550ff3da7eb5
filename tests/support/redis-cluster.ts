// A real Redis Cluster for tests: redis-server nodes with cluster mode on, on free loopback ports,
// joined by `redis-cli --cluster create` (masters first, then a replica for each), torn down after.
// With `tls`, every node speaks TLS only (clients, replication, cluster bus) with a certificate
// from a throwaway CA, as a self-hosted cluster with TLS usually is; with `requireClientCertificates`
// too, clients (and the nodes, of each other) must present a certificate that CA signed.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Redis, type RedisOptions } from 'ioredis';
import {
  freePort,
  probeOptions,
  startLocalRedis,
  type LocalRedis,
  type LocalRedisOptions,
} from '@sms-mfa/common/redis-server';
import { makeTestCertificates, type TlsFiles } from './tls-certs.js';

const run = promisify(execFile);

/** A running cluster this test owns. */
export interface RedisCluster {
  /** Seed nodes as `REDIS_CLUSTER_NODES` takes them: `127.0.0.1:p1,127.0.0.1:p2,…` (`rediss://127.0.0.1:p1,…` with TLS). */
  readonly seeds: string;
  readonly nodes: readonly LocalRedis[];
  /** With `tls`: the CA that signed the nodes' certificate (REDIS_TLS_CA_FILE), that certificate, and a client certificate. */
  readonly tls: TlsFiles | undefined;
  /** Stops every node and removes their files. */
  stop(): Promise<void>;
}

/** Options for {@link startRedisCluster}. */
export interface RedisClusterOptions {
  readonly masters?: number;
  readonly replicasPerMaster?: number;
  /**
   * How long a node may be unreachable before its replica takes over: 5 s unless a failover test
   * asks for less. At 1 s, a master slow to answer its peers on a busy machine can be replaced
   * mid-test, losing the writes it had not yet replicated (the likely cause of a queued job never
   * sent in a CI run of reference-api/test/cluster.int.test.ts; not reproduced).
   */
  readonly nodeTimeoutMs?: number;
  /** TLS only, with a certificate from a new private CA (see {@link RedisCluster.tls}). */
  readonly tls?: true;
  /** With `tls`: every node asks clients for a certificate the CA signed (`tls-auth-clients yes`). */
  readonly requireClientCertificates?: boolean;
  /** A password every node requires (REDIS_PASSWORD). */
  readonly password?: string;
}

/** What every node is started with besides its ports. */
type NodeSettings = Pick<LocalRedisOptions, 'tls' | 'password'> & {
  readonly nodeTimeoutMs: number;
};

/** Starts 3 masters and 3 replicas (by default) and resolves once every node reports the cluster ok. */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const replicas = options.replicasPerMaster ?? 1;
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  const nodes: LocalRedis[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const tls = options.tls ? await makeTestCertificates(dir) : undefined;
    const settings = {
      tls: tls && { ...tls, requireClientCertificates: options.requireClientCertificates },
      password: options.password,
      nodeTimeoutMs: options.nodeTimeoutMs ?? 5000,
    };
    for (let i = 0; i < masters * (1 + replicas); i++) {
      nodes.push(await startNode(dir, settings));
    }
    const addresses = nodes.map((n) => `127.0.0.1:${n.port}`);
    await createCluster(addresses, replicas, settings);
    await untilClusterOk(nodes, masters * replicas, probeOptions(settings));
    const scheme = tls ? 'rediss://' : '';
    return { seeds: addresses.map((a) => scheme + a).join(','), nodes, tls, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** `redis-cli --cluster create`: masters first, then their replicas (the password goes by REDISCLI_AUTH, not argv). */
async function createCluster(
  addresses: readonly string[],
  replicas: number,
  settings: NodeSettings,
): Promise<void> {
  const { tls } = settings;
  const tlsArgs = tls
    ? [
        ...['--tls', '--cacert', tls.caFile],
        ...(tls.requireClientCertificates ? ['--cert', tls.certFile, '--key', tls.keyFile] : []),
      ]
    : [];
  await run(
    'redis-cli',
    [
      ...tlsArgs,
      ...['--cluster', 'create', ...addresses],
      ...['--cluster-replicas', String(replicas), '--cluster-yes'],
    ],
    { env: { ...process.env, ...(settings.password ? { REDISCLI_AUTH: settings.password } : {}) } },
  );
}

/**
 * One cluster node on a free port, with its cluster bus on a second free port: the default bus
 * port (the port + 10000) may be taken, or past 65535 (redis-server then refuses a port over
 * 55535). Another process may take a free port before redis-server binds it, so a node that
 * fails to start is tried again on new ports.
 */
async function startNode(dir: string, settings: NodeSettings): Promise<LocalRedis> {
  for (let attempt = 1; ; attempt++) {
    const [port, busPort] = [await freePort(), await freePort()];
    if (port === busPort) {
      continue;
    }
    try {
      return await startLocalRedis({
        port,
        tls: settings.tls,
        password: settings.password,
        dataDir: join(dir, String(port)),
        extraArgs: [
          // replicas sync at once (the default waits 5 s for more replicas to share a transfer)
          '--repl-diskless-sync-delay',
          '0',
          '--cluster-enabled',
          'yes',
          '--cluster-port',
          String(busPort),
          '--cluster-config-file',
          `nodes-${port}.conf`,
          '--cluster-node-timeout',
          String(settings.nodeTimeoutMs),
        ],
      });
    } catch (err) {
      if (attempt >= 3) {
        throw err;
      }
    }
  }
}

/**
 * Waits until every node says `cluster_state:ok`, knows every other node, sees each replica as
 * one (right after `--cluster create` a replica may still call itself a master for a moment), and
 * every master's replicas have finished their first sync (before that, WAIT counts none of them).
 */
async function untilClusterOk(
  nodes: readonly LocalRedis[],
  replicas: number,
  options: RedisOptions,
): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt++) {
    const states = await Promise.all(
      nodes.map((n) => clusterState(n.port, nodes.length, replicas, options)),
    );
    if (states.every(Boolean)) {
      return;
    }
    await sleep(50);
  }
  throw new Error(
    'the Redis Cluster did not reach cluster_state:ok with replicas in sync within 20 s',
  );
}

/** A master whose replicas are all `state=online`, or a replica whose link to its master is up. */
async function replicationOnline(redis: Redis): Promise<boolean> {
  const info = await redis.info('replication');
  if (info.includes('role:slave')) {
    return info.includes('master_link_status:up');
  }
  const replicas = info.split('\n').filter((line) => /^slave\d+:/.test(line));
  return replicas.length > 0 && replicas.every((line) => line.includes('state=online'));
}

async function clusterState(
  port: number,
  size: number,
  replicas: number,
  options: RedisOptions,
): Promise<boolean> {
  const redis = new Redis(port, '127.0.0.1', {
    ...options,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    const info = String(await redis.cluster('INFO'));
    const known = String(await redis.cluster('NODES'))
      .trim()
      .split('\n');
    const seenAsReplicas = known.filter((line) => line.split(' ')[2]?.includes('slave')).length;
    return (
      info.includes('cluster_state:ok') &&
      known.length === size &&
      seenAsReplicas === replicas &&
      (replicas === 0 || (await replicationOnline(redis)))
    );
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
