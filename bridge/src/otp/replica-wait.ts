import {
  waitForReplicas,
  type RedisClient,
  type RedisSettings,
} from '@sms-mfa/common/redis-client';
import type { Logger } from '@sms-mfa/common/logger';
import { Counter, type Registry } from 'prom-client';
import { KeyLayout } from './key-layout.js';

/** After a short WAIT, how long later writes are not waited for (each still counted as short). */
const PAUSE_AFTER_SHORT_MS = 5_000;

/**
 * REDIS_WAIT_REPLICAS: before the bridge answers that a code was sent or accepted, the write must be
 * on that many replicas, so a failover right after the answer cannot lose it. A short count never
 * fails the request (the write is on the master); it is logged and counted
 * (`redis_wait_replicas_short_total`). WAIT blocks the connection it is sent on, which every request
 * to that master shares: so once a WAIT comes back short, waits pause for a few seconds instead of
 * stalling every request by the timeout while a replica is away.
 */
export class ReplicaWait {
  readonly #keys: KeyLayout;
  readonly #short: Counter | undefined;
  #pausedUntilMs = 0;

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
    private readonly settings: Pick<RedisSettings, 'waitReplicas' | 'waitTimeoutMs'>,
    private readonly logger: Logger,
    registry?: Registry,
  ) {
    this.#keys = new KeyLayout(keyPrefix);
    this.#short = registry ? shortCounter(registry) : undefined;
  }

  /** Waits for the authentication's record to reach the replicas (no-op with REDIS_WAIT_REPLICAS=0). */
  async forAuth(authId: string, write: string): Promise<void> {
    await this.forKey(this.#keys.auth(authId), write);
  }

  /** Waits for a TOTP device's record to reach the replicas. */
  async forDevice(userKey: string, deviceId: string, write: string): Promise<void> {
    await this.forKey(this.#keys.totpDevice(userKey, deviceId), write);
  }

  private async forKey(key: string, write: string): Promise<void> {
    const wanted = this.settings.waitReplicas;
    if (wanted <= 0) {
      return;
    }
    if (Date.now() < this.#pausedUntilMs) {
      this.#short?.inc();
      return;
    }
    // the write itself succeeded: a WAIT that fails (a failover under way) only leaves it unconfirmed
    const acked = await waitForReplicas(this.redis, key, wanted, this.settings.waitTimeoutMs).catch(
      () => 0,
    );
    if (acked < wanted) {
      this.#short?.inc();
      this.#pausedUntilMs = Date.now() + PAUSE_AFTER_SHORT_MS;
      this.logger.warn('redis write not confirmed on enough replicas; answering anyway', {
        write,
        wanted,
        acked,
        timeoutMs: this.settings.waitTimeoutMs,
        pausedMs: PAUSE_AFTER_SHORT_MS,
      });
    }
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
