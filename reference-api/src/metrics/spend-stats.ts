import type { RedisClient } from '@sms-mfa/common/redis-client';
import type { Price } from '../providers/sms-provider.js';

/** Who a send is counted against: the caller's `account`, the provider, the destination's country. */
export interface SpendLabels {
  /** The caller's `account`, or "" when it named none. */
  readonly application: string;
  readonly provider: string;
  /** ISO 3166 alpha-2, or "" (an email, or a number no country claims). */
  readonly country: string;
}

/** One series of spend: its labels and the sum (or count, for sends without a price). */
export interface SpendSeries extends SpendLabels {
  readonly currency: string;
  readonly value: number;
}

/**
 * What sends cost, kept in RedisClient beside the send counters (send-stats.ts) so any API process serves
 * every worker's spend on /metrics. Sums are added up locally and written every `flushIntervalMs`
 * (HINCRBYFLOAT per field); a send with no price is counted apart, never as 0.
 */
export class SpendStats {
  private readonly spent = new Map<string, number>();
  private readonly unpriced = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly flushIntervalMs = 1000,
  ) {}

  private get spentKey() {
    return `${this.prefix}:stats:spend`;
  }

  private get unpricedKey() {
    return `${this.prefix}:stats:unpriced`;
  }

  /** Adds one sent message's price, or counts it as unpriced. */
  record(labels: SpendLabels, price: Price | undefined): void {
    const { application, provider, country } = labels;
    if (price) {
      add(
        this.spent,
        JSON.stringify([application, provider, country, price.currency]),
        price.amount,
      );
    } else {
      add(this.unpriced, JSON.stringify([application, provider, country]), 1);
    }
    this.timer ??= setTimeout(() => void this.flush(), this.flushIntervalMs).unref();
  }

  /** Writes what was added since the last flush (also called on shutdown and before a scrape). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.spent.size === 0 && this.unpriced.size === 0) {
      return;
    }
    const pipeline = this.redis.pipeline();
    for (const [field, n] of this.spent) {
      pipeline.hincrbyfloat(this.spentKey, field, n);
    }
    for (const [field, n] of this.unpriced) {
      pipeline.hincrby(this.unpricedKey, field, n);
    }
    this.spent.clear();
    this.unpriced.clear();
    await pipeline.exec().catch(() => undefined); // metrics never fail a send
  }

  /** Spend per application, provider, country and currency (all workers). */
  async spend(): Promise<SpendSeries[]> {
    return Object.entries(await this.redis.hgetall(this.spentKey)).flatMap(([field, value]) => {
      const [application, provider, country, currency] = fieldLabels(field);
      return currency === undefined
        ? []
        : [{ application, provider, country, currency, value: Number(value) }];
    });
  }

  /** Sends that no provider and no table priced, per application, provider and country. */
  async unpricedSends(): Promise<(SpendLabels & { value: number })[]> {
    return Object.entries(await this.redis.hgetall(this.unpricedKey)).map(([field, value]) => {
      const [application, provider, country] = fieldLabels(field);
      return { application, provider, country, value: Number(value) };
    });
  }
}

function add(map: Map<string, number>, field: string, n: number): void {
  map.set(field, (map.get(field) ?? 0) + n);
}

/** The labels a field was written with; a field that is not ours reads as empty labels. */
function fieldLabels(field: string): [string, string, string, string | undefined] {
  try {
    const labels = JSON.parse(field) as unknown;
    if (Array.isArray(labels) && labels.every((l) => typeof l === 'string')) {
      const [a = '', p = '', c = '', currency] = labels as string[];
      return [a, p, c, currency];
    }
  } catch {
    // fall through
  }
  return ['', '', '', undefined];
}
