import type { RedisClient } from '@sms-mfa/common/redis-client';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { BridgeConfig } from '../config.js';
import { CiamError } from '../errors.js';
import { KeyLayout } from '../otp/key-layout.js';

/** The limits a send or a validation is counted against. */
export type LimitName =
  'phone' | 'app-sends' | 'country' | 'ip' | 'auth-validations' | 'app-validations';

/** One counted hit, to refund if the operation it paid for did not happen. */
export interface Hit {
  readonly limit: LimitName;
  readonly key: string;
}

/** What a send is counted against; `phoneKey` is a pseudonym, never the number. */
export interface SendSubject {
  readonly clientId: string;
  readonly phoneKey: string;
  readonly callingCode: string;
  readonly ipAddress: string | undefined;
}

/** 429 RATE_LIMITED with `Retry-After` in whole seconds (at least 1). */
export function rateLimited(
  retryAfterMs: number,
  message = 'too many requests; try again later',
): CiamError {
  return new CiamError(
    'RATE_LIMITED',
    message,
    {},
    { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
  );
}

/**
 * Fixed-window counters on Redis (rate-limiter-flexible) for sends and validations, from
 * config.rateLimits. Each counter is one key without a hash tag (per destination, address,
 * application or authentication), so a Redis Cluster spreads them over its masters.
 */
export class RateLimits {
  readonly #limiters: ReadonlyMap<LimitName, RateLimiterRedis>;

  constructor(redis: RedisClient, keyPrefix: string, limits: BridgeConfig['rateLimits']) {
    const keys = new KeyLayout(keyPrefix);
    const make = (name: LimitName, points: number, duration: number) =>
      [
        name,
        new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: keys.rateLimit(name),
          points,
          duration,
        }),
      ] as const;
    this.#limiters = new Map([
      make('phone', limits.phoneSends, limits.phoneWindowSeconds),
      make('app-sends', limits.appSendsPerMinute, 60),
      make('country', limits.countrySendsPerMinute, 60),
      make('ip', limits.ipSendsPerHour, 3600),
      make('auth-validations', limits.validationsPerAuthPerMinute, 60),
      make('app-validations', limits.appValidationsPerMinute, 60),
    ]);
  }

  /** Counts one send; throws RATE_LIMITED (counting nothing) when any limit is reached. */
  async countSend(s: SendSubject): Promise<Hit[]> {
    const hits: Hit[] = [
      { limit: 'app-sends', key: s.clientId },
      { limit: 'country', key: `${s.clientId}:${s.callingCode}` },
      { limit: 'phone', key: s.phoneKey },
    ];
    if (s.ipAddress) {
      hits.push({ limit: 'ip', key: `${s.clientId}:${s.ipAddress}` });
    }
    return this.countAll(hits);
  }

  /** Counts one validation attempt; throws RATE_LIMITED when the authentication or the application is over its limit. */
  async countValidation(clientId: string, authId: string): Promise<Hit[]> {
    return this.countAll([
      { limit: 'app-validations', key: clientId },
      // keyed with the caller too: another application probing an authId cannot use up its owner's budget
      { limit: 'auth-validations', key: `${clientId}:${authId}` },
    ]);
  }

  /** Gives back hits whose operation did not happen (a send that could not be queued). */
  async refund(hits: readonly Hit[]): Promise<void> {
    await Promise.all(hits.map((hit) => this.limiter(hit.limit).reward(hit.key, 1)));
  }

  /**
   * Counts every hit at once (one auto-pipelined round trip, not one per limit). When any limit
   * refuses, every hit the limiters counted, the refused ones included, is given back, so only what
   * happened counts; the first refusal in order sets Retry-After.
   */
  private async countAll(hits: readonly Hit[]): Promise<Hit[]> {
    const outcomes = await Promise.allSettled(
      hits.map((hit) => this.limiter(hit.limit).consume(hit.key, 1)),
    );
    const refusal = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (!refusal) {
      return [...hits];
    }
    const counted = hits.filter((_, i) => {
      const outcome = outcomes[i];
      return outcome?.status === 'fulfilled' || outcome?.reason instanceof RateLimiterRes;
    });
    await this.refund(counted).catch(() => undefined);
    if (!(refusal.reason instanceof RateLimiterRes)) {
      throw refusal.reason;
    }
    throw rateLimited(refusal.reason.msBeforeNext);
  }

  private limiter(name: LimitName): RateLimiterRedis {
    const limiter = this.#limiters.get(name);
    if (!limiter) {
      throw new TypeError(`unknown limit ${name}`);
    }
    return limiter;
  }
}

/**
 * Failed client authentications per client address. Past the limit the token endpoints refuse
 * the address before checking any secret, until its window ends: each check costs a scrypt
 * hash, so unlimited guesses would be both a brute force and a cheap way to burn the bridge's CPU.
 * Only failures count, so a well-behaved client is never slowed down.
 */
export class ClientAuthFailures {
  readonly #limiter: RateLimiterRedis;
  readonly #limit: number;

  constructor(redis: RedisClient, keyPrefix: string, limits: BridgeConfig['rateLimits']) {
    this.#limit = limits.clientAuthFailures;
    this.#limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: new KeyLayout(keyPrefix).rateLimit('client-auth-failures'),
      points: limits.clientAuthFailures,
      duration: limits.clientAuthWindowSeconds,
    });
  }

  /** Milliseconds until `address` may try again, or 0 when it may try now. */
  async blockedFor(address: string): Promise<number> {
    const counted = await this.#limiter.get(address);
    return counted && counted.consumedPoints >= this.#limit ? Math.max(1, counted.msBeforeNext) : 0;
  }

  /** Counts one failed authentication from `address`. */
  async recordFailure(address: string): Promise<void> {
    await this.#limiter.penalty(address, 1);
  }
}
