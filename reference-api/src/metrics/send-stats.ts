import type { RedisClient } from '@sms-mfa/common/redis-client';

/** Upper bounds (seconds) of the send latency histogram buckets. */
export const LATENCY_BUCKETS_SECONDS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

/** Outcomes counted per provider. */
export type SendOutcome =
  | 'sent'
  | 'permanent_failure'
  | 'transient_failure'
  | 'rate_limited'
  | 'expired'
  | 'delivered'
  | 'undelivered'
  | 'failed';

/**
 * Send counters and latency buckets kept in RedisClient, so that every worker process adds to the same
 * figures and any API process can serve them on /metrics. Each process adds up locally and writes
 * its sums every `flushIntervalMs` (one pipeline), rather than four writes per send.
 */
export class SendStats {
  private readonly counts_ = new Map<string, number>();
  private readonly latency_ = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly flushIntervalMs = 1000,
  ) {}

  private get countsKey() {
    return `${this.prefix}:stats:sends`;
  }

  private get latencyKey() {
    return `${this.prefix}:stats:latency`;
  }

  /** Counts one outcome, and its latency when it was a provider call. */
  record(provider: string, outcome: SendOutcome, durationMs?: number): void {
    add(this.counts_, `${provider}|${outcome}`, 1);
    if (durationMs !== undefined) {
      const seconds = durationMs / 1000;
      const bucket = LATENCY_BUCKETS_SECONDS.find((b) => seconds <= b) ?? '+Inf';
      add(this.latency_, `${provider}|${bucket}`, 1);
      add(this.latency_, `${provider}|sum`, seconds);
      add(this.latency_, `${provider}|count`, 1);
    }
    this.timer ??= setTimeout(() => void this.flush(), this.flushIntervalMs).unref();
  }

  /** Writes what was counted since the last flush (also called on shutdown). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.counts_.size === 0 && this.latency_.size === 0) {
      return;
    }
    const pipeline = this.redis.pipeline();
    for (const [field, n] of this.counts_) {
      pipeline.hincrby(this.countsKey, field, n);
    }
    for (const [field, n] of this.latency_) {
      pipeline.hincrbyfloat(this.latencyKey, field, n);
    }
    this.counts_.clear();
    this.latency_.clear();
    await pipeline.exec().catch(() => undefined); // metrics never fail a send
  }

  /** All counters: provider → outcome → count. */
  async counts(): Promise<Map<string, Map<string, number>>> {
    return group(await this.redis.hgetall(this.countsKey));
  }

  /** Latency fields: provider → (bucket | "sum" | "count") → value. */
  async latency(): Promise<Map<string, Map<string, number>>> {
    return group(await this.redis.hgetall(this.latencyKey));
  }
}

function add(map: Map<string, number>, field: string, n: number): void {
  map.set(field, (map.get(field) ?? 0) + n);
}

function group(hash: Record<string, string>): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const [field, value] of Object.entries(hash)) {
    const [provider, name] = field.split('|');
    if (!provider || !name) {
      continue;
    }
    if (!out.has(provider)) {
      out.set(provider, new Map());
    }
    out.get(provider)!.set(name, Number(value));
  }
  return out;
}
