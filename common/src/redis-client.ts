// One way for every process (bridge, reference API, worker, CLI) to reach its Redis: a single
// server by REDIS_URL, or a Redis Cluster by REDIS_CLUSTER_NODES (seed nodes; ioredis finds the
// rest). The rest of the code talks to a RedisClient and never asks which one it has, except where
// the cluster changes the meaning of a command (WAIT goes to the node that took the write).
// TLS (rediss://) trusts Node's CAs, or only the private CA of REDIS_TLS_CA_FILE when it is set,
// and presents the client certificate of REDIS_TLS_CERT_FILE / REDIS_TLS_KEY_FILE when they are.
import calculateSlot from 'cluster-key-slot';
import type { ConnectionOptions } from 'node:tls';
import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import {
  readRedisCa,
  readRedisClientCertificate,
  type RedisClientCertificate,
} from './redis-tls-files.js';

/** A connection to one Redis or to a Redis Cluster; both speak the same commands. */
export type RedisClient = Redis | Cluster;

/** A cluster to reach: seed nodes, TLS when they were given as `rediss://`, an optional password. */
export interface RedisClusterSettings {
  readonly nodes: readonly { readonly host: string; readonly port: number }[];
  readonly tls: boolean;
  readonly password: string | undefined;
}

/** Where a service keeps its state: a single Redis URL or a cluster (never both). */
export interface RedisSettings {
  readonly url: string | undefined;
  readonly cluster: RedisClusterSettings | undefined;
  /** REDIS_TLS_CA_FILE's certificates (PEM), read at config load: what a rediss:// server's certificate must chain to. */
  readonly tlsCa?: string | undefined;
  /** REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE (PEM), read at config load: what a rediss:// connection presents when asked. */
  readonly tlsClient?: RedisClientCertificate | undefined;
  /** REDIS_WAIT_REPLICAS: replicas that must hold a write before a request is answered (0 = none). */
  readonly waitReplicas: number;
  readonly waitTimeoutMs: number;
}

/** The variables every service reads for its Redis, as zod fields to spread into its schema. */
export const REDIS_ENV = {
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  REDIS_CLUSTER_NODES: z
    .string()
    .regex(
      /^\s*((rediss?:\/\/)?[^\s,:/]+:\d{1,5})\s*(,\s*((rediss?:\/\/)?[^\s,:/]+:\d{1,5})\s*)*$/,
      'must be host:port seed nodes separated by commas (rediss://host:port for TLS)',
    )
    .optional(),
  REDIS_PASSWORD: z.string().min(1).optional(),
  REDIS_TLS_CA_FILE: z.string().min(1).optional(),
  REDIS_TLS_CERT_FILE: z.string().min(1).optional(),
  REDIS_TLS_KEY_FILE: z.string().min(1).optional(),
  REDIS_WAIT_REPLICAS: z.coerce.number().int().min(0).max(16).default(0),
  REDIS_WAIT_TIMEOUT_MS: z.coerce.number().int().min(1).max(60_000).default(500),
} as const;

/** Secrets among {@link REDIS_ENV}, for `resolveFileSecrets` (REDIS_PASSWORD_FILE). */
export const REDIS_SECRET_NAMES = ['REDIS_PASSWORD'] as const;

type RedisEnv = z.output<z.ZodObject<typeof REDIS_ENV>>;

/**
 * The settings from parsed variables, and the problems a config error should list. Reads
 * REDIS_TLS_CA_FILE, REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE: call it once per config load.
 */
export function redisSettings(e: RedisEnv): { settings: RedisSettings; problems: string[] } {
  const problems: string[] = [];
  if (e.REDIS_URL && e.REDIS_CLUSTER_NODES) {
    problems.push(
      'REDIS_CLUSTER_NODES: set REDIS_URL (one Redis) or REDIS_CLUSTER_NODES (a cluster), not both',
    );
  }
  const cluster = e.REDIS_CLUSTER_NODES ? clusterSettings(e.REDIS_CLUSTER_NODES, e) : undefined;
  if (cluster && new Set(e.REDIS_CLUSTER_NODES?.match(/rediss?:\/\//g) ?? []).size > 1) {
    problems.push('REDIS_CLUSTER_NODES: give every seed node as rediss:// (TLS) or none');
  }
  const ca = e.REDIS_TLS_CA_FILE ? tlsCa(e.REDIS_TLS_CA_FILE, e, problems) : undefined;
  const client = tlsClient(e, problems);
  return {
    settings: {
      url: cluster ? undefined : withPassword(e.REDIS_URL, e.REDIS_PASSWORD),
      cluster,
      tlsCa: ca,
      tlsClient: client,
      waitReplicas: e.REDIS_WAIT_REPLICAS,
      waitTimeoutMs: e.REDIS_WAIT_TIMEOUT_MS,
    },
    problems,
  };
}

function usesTls(e: RedisEnv): boolean {
  return Boolean(
    e.REDIS_CLUSTER_NODES?.includes('rediss://') ?? e.REDIS_URL?.startsWith('rediss://'),
  );
}

function tlsCa(file: string, e: RedisEnv, problems: string[]): string | undefined {
  if (!usesTls(e)) {
    problems.push(
      'REDIS_TLS_CA_FILE is set but REDIS_URL / REDIS_CLUSTER_NODES is not rediss://: use rediss:// for TLS, or unset REDIS_TLS_CA_FILE',
    );
  }
  const read = readRedisCa(file);
  if ('problem' in read) {
    problems.push(`REDIS_TLS_CA_FILE: ${read.problem}`);
    return undefined;
  }
  return read.pem;
}

function tlsClient(e: RedisEnv, problems: string[]): RedisClientCertificate | undefined {
  const { REDIS_TLS_CERT_FILE: certFile, REDIS_TLS_KEY_FILE: keyFile } = e;
  if (!certFile || !keyFile) {
    if (certFile || keyFile) {
      const [set, unset] = certFile ? ['CERT', 'KEY'] : ['KEY', 'CERT'];
      problems.push(
        `REDIS_TLS_${set}_FILE is set without REDIS_TLS_${unset}_FILE: set both REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE, or neither`,
      );
    }
    return undefined;
  }
  if (!usesTls(e)) {
    problems.push(
      'REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE are set but REDIS_URL / REDIS_CLUSTER_NODES is not rediss://: use rediss:// for TLS, or unset them',
    );
  }
  const read = readRedisClientCertificate(certFile, keyFile);
  if ('problems' in read) {
    problems.push(...read.problems);
    return undefined;
  }
  return read;
}

function clusterSettings(list: string, e: RedisEnv): RedisClusterSettings {
  const entries = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return {
    nodes: entries.map((entry) => {
      const [host = '', port = ''] = entry.replace(/^rediss?:\/\//, '').split(':');
      return { host, port: Number(port) };
    }),
    tls: entries.some((entry) => entry.startsWith('rediss://')),
    password: e.REDIS_PASSWORD,
  };
}

function withPassword(url: string | undefined, password: string | undefined): string | undefined {
  if (!url || !password) {
    return url;
  }
  const parsed = new URL(url);
  if (!parsed.password) {
    parsed.password = encodeURIComponent(password);
  }
  return parsed.toString();
}

/** Where a client is pointed, for messages: the URL without its password, or the seed nodes. */
export function describeRedis(settings: Pick<RedisSettings, 'url' | 'cluster'>): string {
  if (settings.cluster) {
    const scheme = settings.cluster.tls ? 'rediss://' : '';
    return `the Redis Cluster at ${settings.cluster.nodes.map((n) => `${scheme}${n.host}:${n.port}`).join(',')}`;
  }
  return `Redis at ${(settings.url ?? '(no REDIS_URL)').replace(/\/\/[^@]*@/, '//***@')}`;
}

/** The TLS options a rediss:// connection to `settings` adds to Node's defaults: its CA, its client certificate. */
export function redisTlsOptions(
  settings: Pick<RedisSettings, 'tlsCa' | 'tlsClient'>,
): ConnectionOptions {
  return {
    ...(settings.tlsCa ? { ca: settings.tlsCa } : {}),
    ...(settings.tlsClient ? { cert: settings.tlsClient.cert, key: settings.tlsClient.key } : {}),
  };
}

/**
 * A new client for `settings` with ioredis `options` (for a cluster they apply to each node's
 * connection). Throws TypeError when neither a URL nor a cluster is set: the caller's launcher
 * should have provided one.
 */
export function openRedis(
  settings: Pick<RedisSettings, 'url' | 'cluster' | 'tlsCa' | 'tlsClient'>,
  options: RedisOptions = {},
): RedisClient {
  const { cluster } = settings;
  const tls = redisTlsOptions(settings);
  if (cluster) {
    const {
      enableAutoPipelining,
      autoPipeliningIgnoredCommands,
      enableOfflineQueue,
      maxRetriesPerRequest,
      lazyConnect,
      ...rest
    } = options;
    return new Cluster(cluster.nodes as ClusterNode[], {
      enableAutoPipelining,
      autoPipeliningIgnoredCommands,
      enableOfflineQueue,
      lazyConnect,
      // a client's reconnect policy (retryStrategy: () => null gives up) holds for the cluster too
      ...(rest.retryStrategy ? { clusterRetryStrategy: rest.retryStrategy } : {}),
      maxRedirections: 16,
      // Slots move during a failover: retry MOVED / CLUSTERDOWN for a moment, then fail fast.
      retryDelayOnClusterDown: 100,
      retryDelayOnFailover: 100,
      retryDelayOnTryAgain: 100,
      slotsRefreshTimeout: 2000,
      redisOptions: {
        ...rest,
        maxRetriesPerRequest,
        ...(cluster.password ? { password: cluster.password } : {}),
        ...(cluster.tls ? { tls } : {}),
      },
    });
  }
  if (!settings.url) {
    throw new TypeError('openRedis: no REDIS_URL or REDIS_CLUSTER_NODES was given');
  }
  // ioredis turns TLS on for rediss:// by itself, trusting Node's CAs; a private CA and a client
  // certificate must be given
  const withTls = Object.keys(tls).length > 0 && settings.url.startsWith('rediss://');
  return new Redis(
    settings.url,
    withTls ? { ...options, tls: { ...options.tls, ...tls } } : options,
  );
}

/** True for a cluster client. */
export function isCluster(client: RedisClient): client is Cluster {
  return client instanceof Cluster;
}

/**
 * Waits until `replicas` replicas hold every write this client sent to the node that owns `key`
 * (Redis WAIT, on that node's connection: WAIT counts the writes of the connection it is sent on).
 * Resolves to the number of replicas that acknowledged within `timeoutMs`.
 */
export async function waitForReplicas(
  client: RedisClient,
  key: string,
  replicas: number,
  timeoutMs: number,
): Promise<number> {
  if (replicas <= 0) {
    return 0;
  }
  const node = isCluster(client) ? nodeFor(client, key) : client;
  return node.wait(replicas, timeoutMs);
}

/** The `host:port` of the master that owns `key` on a cluster (`''` on one server): writes to one node share its connection. */
export function ownerOf(client: RedisClient, key: string): string {
  return isCluster(client) ? (client.slots[calculateSlot(key)]?.[0] ?? '') : '';
}

function nodeFor(cluster: Cluster, key: string): Redis {
  const owner = ownerOf(cluster, key);
  const node = cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === owner);
  if (!node) {
    throw new Error(`no master is known for the slot of ${key}; the cluster is changing`);
  }
  return node;
}

/** The master nodes of a cluster, or the one server: what FLUSHALL or INFO must visit. */
export function masters(client: RedisClient): Redis[] {
  return isCluster(client) ? client.nodes('master') : [client];
}

/** A new connection (or cluster client) like `client`, for what needs one of its own (WATCH, blocking reads). */
export function duplicateClient(client: RedisClient, options: RedisOptions = {}): RedisClient {
  return isCluster(client) ? client.duplicate(undefined, options) : client.duplicate(options);
}
