import type { RedisClient } from '@sms-mfa/common/redis-client';

/**
 * Per-provider pauses after a 429, shared by every worker through Redis. A paused provider holds
 * back only the messages routed to it; other providers keep sending.
 */
export class ProviderPauses {
  /** provider → [pausedUntil, checkedAt]: a short local memory saves one RedisClient read per send. */
  private readonly seen = new Map<string, [number, number]>();

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    /** How long a worker trusts what it last read; a pause set elsewhere is noticed this late at most. */
    private readonly cacheMs = 250,
  ) {}

  private key(providerId: string): string {
    return `${this.prefix}:provider:${providerId}:paused-until`;
  }

  /** Pauses `providerId` for `ms` (extends, never shortens, a pause in force). */
  async pause(providerId: string, ms: number, now = Date.now()): Promise<number> {
    const until = now + ms;
    const current = Number((await this.redis.get(this.key(providerId))) ?? 0);
    if (current >= until) {
      return current;
    }
    await this.redis.set(this.key(providerId), String(until), 'PX', Math.max(1, ms));
    this.seen.set(providerId, [until, now]);
    return until;
  }

  /** When the pause on `providerId` ends (epoch ms), or 0 when it is not paused. */
  async pausedUntil(providerId: string, now = Date.now()): Promise<number> {
    const cached = this.seen.get(providerId);
    let until = cached && now - cached[1] < this.cacheMs ? cached[0] : undefined;
    if (until === undefined) {
      until = Number((await this.redis.get(this.key(providerId))) ?? 0);
      this.seen.set(providerId, [until, now]);
    }
    return until > now ? until : 0;
  }
}
