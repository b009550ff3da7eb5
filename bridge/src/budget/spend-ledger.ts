import { readFileSync } from 'node:fs';
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

type ScriptedRedis = RedisClient & {
  mfaSpendAdd(key: string, amount: string, keepSeconds: string): Promise<string>;
};

/**
 * What each application's sends cost per UTC day, `{prefix}:spend:<clientId>:<YYYY-MM-DD>`
 * (INCRBYFLOAT), and the once-a-day marks of its warnings beside it.
 */
export class SpendLedger {
  readonly #redis: ScriptedRedis;

  constructor(
    redis: RedisClient,
    private readonly keyPrefix: string,
  ) {
    this.#redis = redis as ScriptedRedis;
    if (typeof this.#redis.mfaSpendAdd !== 'function') {
      redis.defineCommand('mfaSpendAdd', {
        numberOfKeys: 1,
        lua: readFileSync(new URL('./spend-add.lua', import.meta.url), 'utf8'),
      });
    }
  }

  private key(clientId: string, day: string): string {
    return `${this.keyPrefix}:spend:${clientId}:${day}`;
  }

  /** What `clientId`'s sends cost on `day` so far (0 when nothing). */
  async spent(clientId: string, day: string): Promise<number> {
    return Number((await this.#redis.get(this.key(clientId, day))) ?? 0);
  }

  /** Adds `amount` to `clientId`'s spend on `day` and returns the new total. */
  async add(clientId: string, day: string, amount: number): Promise<number> {
    const total = await this.#redis.mfaSpendAdd(
      this.key(clientId, day),
      String(amount),
      String(KEEP_SECONDS),
    );
    return Number(total);
  }

  /** True the first time `mark` is set for `clientId` on `day` (SET NX), false ever after that day. */
  async firstTime(clientId: string, day: string, mark: string): Promise<boolean> {
    const key = `${this.key(clientId, day)}:${mark}`;
    return (await this.#redis.set(key, '1', 'EX', KEEP_SECONDS, 'NX')) === 'OK';
  }
}
