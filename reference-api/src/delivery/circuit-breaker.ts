import type { RedisClient } from '@sms-mfa/common/redis-client';

/** Breaker settings: `threshold` transient failures within `windowSeconds` open it for `cooldownSeconds`. */
export interface BreakerSettings {
  readonly threshold: number;
  readonly windowSeconds: number;
  readonly cooldownSeconds: number;
}

/**
 * A circuit breaker per provider, shared by every worker through Redis: after repeated transient
 * failures the provider is skipped for a cool-down, then tried again (one more failure re-opens it
 * while the failure count still stands; a success closes it).
 */
export class CircuitBreakers {
  /** provider → [openUntil, checkedAt]: a short local memory saves one RedisClient read per send. */
  private readonly seen = new Map<string, [number, number]>();
  /** Providers this process saw fail or open lately: only their successes need a write to close. */
  private readonly troubled = new Set<string>();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly settings: BreakerSettings,
    private readonly cacheMs = 250,
  ) {}

  private key(providerId: string, part: 'failures' | 'open'): string {
    return `${this.prefix}:breaker:${providerId}:${part}`;
  }

  /** When the breaker of `providerId` closes again (epoch ms), or 0 when it is closed. */
  async openUntil(providerId: string, now = Date.now()): Promise<number> {
    const cached = this.seen.get(providerId);
    if (cached && now - cached[1] < this.cacheMs) {
      return cached[0] > now ? cached[0] : 0;
    }
    const ttl = await this.redis.pttl(this.key(providerId, 'open'));
    const until = ttl > 0 ? now + ttl : 0;
    this.seen.set(providerId, [until, now]);
    if (until) {
      this.troubled.add(providerId);
    }
    return until;
  }

  /** Counts a transient failure; returns true when this failure opened the breaker. */
  async recordFailure(providerId: string): Promise<boolean> {
    this.troubled.add(providerId);
    const failuresKey = this.key(providerId, 'failures');
    const results = await this.redis
      .multi()
      .incr(failuresKey)
      .expire(failuresKey, this.settings.windowSeconds)
      .exec();
    const failures = Number(results?.[0]?.[1] ?? 0);
    if (failures < this.settings.threshold) {
      return false;
    }
    const opened = await this.redis.set(
      this.key(providerId, 'open'),
      '1',
      'EX',
      this.settings.cooldownSeconds,
      'NX',
    );
    this.seen.delete(providerId);
    return opened === 'OK';
  }

  /** A success closes the breaker and forgets the failures (a no-op write-free path while all is well). */
  async recordSuccess(providerId: string): Promise<void> {
    if (!this.troubled.delete(providerId)) {
      return;
    }
    this.seen.delete(providerId);
    await this.redis.del(this.key(providerId, 'failures'), this.key(providerId, 'open'));
  }
}
