import type { Redis } from 'ioredis';

/**
 * Per-provider pauses after a 429, shared by every worker through Redis. A paused provider holds
 * back only the messages routed to it; other providers keep sending.
 */
export class ProviderPauses {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(providerId: string): string {
    return `${this.prefix}:provider:${providerId}:paused-until`;
  }

  /** Pauses `providerId` for `ms` (extends, never shortens, a pause in force). */
  async pause(providerId: string, ms: number, now = Date.now()): Promise<number> {
    const until = now + ms;
    const current = Number((await this.redis.get(this.key(providerId))) ?? 0);
    if (current >= until) return current;
    await this.redis.set(this.key(providerId), String(until), 'PX', Math.max(1, ms));
    return until;
  }

  /** When the pause on `providerId` ends (epoch ms), or 0 when it is not paused. */
  async pausedUntil(providerId: string, now = Date.now()): Promise<number> {
    const until = Number((await this.redis.get(this.key(providerId))) ?? 0);
    return until > now ? until : 0;
  }
}
