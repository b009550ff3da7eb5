import { join } from 'node:path';
import type { RedisOptions } from 'ioredis';
import { openRedis, type RedisClient, type RedisSettings } from '@sms-mfa/common/redis-client';
import type { Logger } from '@sms-mfa/common/logger';
import { logRedisTrouble, untilRedisReady } from '@sms-mfa/common/redis-start';
import type { ReferenceApiConfig } from './config.js';
import { CircuitBreakers } from './delivery/circuit-breaker.js';
import { loadOrCreateKey } from './delivery/job-crypto.js';
import { ProviderPauses } from './delivery/provider-pause.js';
import { QueueShards } from './delivery/queue-shards.js';
import { unreachableWarnings } from './delivery/reachability.js';
import { SendQueue } from './delivery/send.queue.js';
import { MessageStore } from './messages/message-store.js';
import { SendStats } from './metrics/send-stats.js';
import { SpendStats } from './metrics/spend-stats.js';
import { createProviders, type RegistryContext } from './providers/registry.js';
import type { SmsProvider } from './providers/sms-provider.js';

/** What the API and the worker of one process share, built once. */
export interface SharedDeps {
  readonly config: ReferenceApiConfig;
  readonly redisSettings: RedisSettings;
  readonly logger: Logger;
  /** Auto-pipelined; the store, stats, pauses and breakers talk over it. */
  readonly redis: RedisClient;
  /** Seals and opens job content. */
  readonly key: Buffer;
  readonly providerContext: RegistryContext;
  readonly providers: readonly SmsProvider[];
  /** QUEUE_PREFIX split QUEUE_SHARDS ways: the send queues and their messages' keys. */
  readonly shards: QueueShards;
  readonly store: MessageStore;
  readonly stats: SendStats;
  /** What sends cost, per caller account, provider and country. */
  readonly spend: SpendStats;
  readonly queue: SendQueue;
  readonly pauses: ProviderPauses;
  readonly breakers: CircuitBreakers;
  /** Flushes the stats, then closes the queue and the connections. */
  close(): Promise<void>;
}

/** Connects to Redis and builds what both roles use, against `config.redis`. */
export async function openSharedDeps(
  config: ReferenceApiConfig,
  logger: Logger,
): Promise<SharedDeps> {
  const redisSettings = requireRedis(config);
  // Auto-pipelining batches the commands of concurrent requests into one write: fewer syscalls under load.
  const redis = redisConnection(redisSettings, logger, 'redis', {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    enableAutoPipelining: true,
  });
  await untilRedisReady(redis, redisSettings);
  const key = messageKey(config, logger);
  const providerContext = registryContext(config, redis, logger);
  const providers = createProviders(providerContext);
  for (const warning of unreachableWarnings(config, providers)) {
    logger.warn(warning);
  }
  const shards = new QueueShards(config.queuePrefix, config.queueShards);
  const state = redisState(config, redis, shards);
  const queue = openQueue(config, redisSettings, logger, key, shards);
  return {
    ...state,
    shards,
    config,
    redisSettings,
    logger,
    redis,
    key,
    providerContext,
    providers,
    queue: queue.queue,
    async close() {
      await Promise.all([state.stats.flush(), state.spend.flush()]);
      await queue.close();
      await redis.quit().catch(() => undefined);
    },
  };
}

/** The state every process shares through Redis: message records, send and spend figures, pauses, breakers. */
function redisState(config: ReferenceApiConfig, redis: RedisClient, shards: QueueShards) {
  // Only the records follow their message's shard; the rest is small, shared state on the base tag.
  const prefix = config.queuePrefix;
  return {
    store: new MessageStore(redis, shards, config.messageRetentionSeconds),
    stats: new SendStats(redis, prefix),
    spend: new SpendStats(redis, prefix),
    pauses: new ProviderPauses(redis, prefix),
    breakers: new CircuitBreakers(redis, prefix, config.breaker),
  };
}

/** The send queue, on a connection of its own; `close` closes both. */
function openQueue(
  config: ReferenceApiConfig,
  settings: RedisSettings,
  logger: Logger,
  key: Buffer,
  shards: QueueShards,
) {
  // BullMQ defines ~50 scripts on the connection it is given, and ioredis copies every defined
  // command into each pipeline it builds: keep the queue off the auto-pipelined connection.
  const connection = redisConnection(settings, logger, 'queue redis', {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  const queue = new SendQueue(connection, shards, key, config.providerAttempts);
  return {
    queue,
    async close() {
      await queue.close();
      await connection.quit().catch(() => undefined);
    },
  };
}

/** A Redis connection whose errors are logged (as `<name> connection error`), never thrown. */
export function redisConnection(
  settings: RedisSettings,
  logger: Logger,
  name: string,
  options: RedisOptions,
): RedisClient {
  const connection = openRedis(settings, options);
  logRedisTrouble(connection, logger, `${name} connection error`);
  return connection;
}

function requireRedis(config: ReferenceApiConfig): RedisSettings {
  if (!config.redis.url && !config.redis.cluster) {
    throw new TypeError(
      'startReferenceApi: config.redis needs a URL or a cluster (the launcher starts a local Redis)',
    );
  }
  return config.redis;
}

/** The key that seals job content; a generated one is fine on one node only, so say so. */
function messageKey(config: ReferenceApiConfig, logger: Logger): Buffer {
  const { key, generated } = loadOrCreateKey(
    config.messageEncryptionKey,
    join(config.dataDir, 'message-key'),
  );
  if (generated) {
    logger.warn(
      'MESSAGE_ENCRYPTION_KEY is not set: generated one under the data directory; set it in production so every node shares it',
    );
  }
  return key;
}

function registryContext(
  config: ReferenceApiConfig,
  redis: RedisClient,
  logger: Logger,
): RegistryContext {
  return {
    config,
    redis,
    logger,
    webhookUrl: (id) =>
      config.publicBaseUrl
        ? `${config.publicBaseUrl.replace(/\/+$/, '')}/webhooks/${id}`
        : undefined,
  };
}
