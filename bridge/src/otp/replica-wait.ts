import type { RedisClient, RedisSettings } from '@sms-mfa/common/redis-client';
import type { Logger } from '@sms-mfa/common/logger';
import { ReplicaWaits } from '@sms-mfa/common/replica-waits';
import { Counter, type Registry } from 'prom-client';
import { KeyLayout } from './key-layout.js';

/**
 * REDIS_WAIT_REPLICAS for the bridge: before it answers that a code was sent or accepted, the
 * authentication's (or TOTP device's) record must be on that many replicas. How waits are shared,
 * counted (`redis_wait_replicas_short_total`) and paused is {@link ReplicaWaits}'.
 */
export class ReplicaWait {
  readonly #keys: KeyLayout;
  readonly #waits: ReplicaWaits;

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
    settings: Pick<RedisSettings, 'waitReplicas' | 'waitTimeoutMs'>,
    logger: Logger,
    registry?: Registry,
  ) {
    this.#keys = new KeyLayout(keyPrefix);
    const short = registry ? shortCounter(registry) : undefined;
    this.#waits = new ReplicaWaits({
      replicas: settings.waitReplicas,
      timeoutMs: settings.waitTimeoutMs,
      logger,
      onShort: () => short?.inc(),
    });
  }

  /** Waits for the authentication's record to reach the replicas (no-op with REDIS_WAIT_REPLICAS=0). */
  async forAuth(authId: string, write: string): Promise<void> {
    await this.#forKey(this.#keys.auth(authId), write);
  }

  /** Waits for a TOTP device's record to reach the replicas. */
  async forDevice(userKey: string, deviceId: string, write: string): Promise<void> {
    await this.#forKey(this.#keys.totpDevice(userKey, deviceId), write);
  }

  #forKey(key: string, write: string): Promise<void> {
    return this.#waits.confirm({
      connection: 'bridge',
      client: this.redis,
      key,
      context: { write },
    });
  }
}

/** `redis_wait_replicas_short_total`: writes answered before REDIS_WAIT_REPLICAS replicas held them. */
function shortCounter(registry: Registry): Counter {
  const name = 'redis_wait_replicas_short_total';
  return (
    (registry.getSingleMetric(name) as Counter | undefined) ??
    new Counter({
      name,
      help: 'Writes answered before REDIS_WAIT_REPLICAS replicas acknowledged them (WAIT timed out, or waits paused after one did)',
      registers: [registry],
    })
  );
}
