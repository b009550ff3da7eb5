import type { RedisClient } from '@sms-mfa/common/redis-client';

/** Spend is kept two days: today's, and yesterday's while its last sends are still counted. */
const KEEP_SECONDS = 2 * 86_400;

/** The UTC day of `nowMs` as YYYY-MM-DD: budgets run from 00:00 UTC to 00:00 UTC. */
export function utcDay(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

/** Whole seconds from `nowMs` to the next 00:00 UTC (at least 1): a refused send's Retry-After. */
export function secondsToNextUtcDay(nowMs: number): number {
  const next = new Date(nowMs);
  next.setUTCHours(24, 0, 0, 0);
  return Math.max(1, Math.ceil((next.getTime() - nowMs) / 1000));
}

/**
 * What each application's sends cost per UTC day, `{prefix}:spend:<clientId>:<YYYY-MM-DD>`
 * (INCRBYFLOAT), and the once-a-day marks of its warnings beside it.
 */
export class SpendLedger {
  constructor(
    private readonly redis: RedisClient,
    private readonly keyPrefix: string,
  ) {}

  private key(clientId: string, day: string): string {
    return `${this.keyPrefix}:spend:${clientId}:${day}`;
  }

  /** What `clientId`'s sends cost on `day` so far (0 when nothing). */
  async spent(clientId: string, day: string): Promise<number> {
    return Number((await this.redis.get(this.key(clientId, day))) ?? 0);
  }

  /** Adds `amount` to `clientId`'s spend on `day` and returns the new total. */
  async add(clientId: string, day: string, amount: number): Promise<number> {
    const key = this.key(clientId, day);
    const [added] =
      (await this.redis.multi().incrbyfloat(key, amount).expire(key, KEEP_SECONDS).exec()) ?? [];
    if (!added || added[0]) {
      throw added?.[0] ?? new Error('spend not recorded');
    }
    return Number(added[1]);
  }

  /** True the first time `mark` is set for `clientId` on `day` (SET NX), false ever after that day. */
  async firstTime(clientId: string, day: string, mark: string): Promise<boolean> {
    const key = `${this.key(clientId, day)}:${mark}`;
    return (await this.redis.set(key, '1', 'EX', KEEP_SECONDS, 'NX')) === 'OK';
  }
}
