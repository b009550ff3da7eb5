import type { Redis } from 'ioredis';

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
 * Send counters and latency buckets kept in Redis, so that every worker process adds to the same
 * figures and any API process can serve them on /metrics.
 */
export class SendStats {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private get countsKey() {
    return `${this.prefix}:stats:sends`;
  }

  private get latencyKey() {
    return `${this.prefix}:stats:latency`;
  }

  /** Counts one outcome, and its latency when it was a provider call. */
  async record(provider: string, outcome: SendOutcome, durationMs?: number): Promise<void> {
    const pipeline = this.redis.pipeline().hincrby(this.countsKey, `${provider}|${outcome}`, 1);
    if (durationMs !== undefined) {
      const seconds = durationMs / 1000;
      const bucket = LATENCY_BUCKETS_SECONDS.find((b) => seconds <= b) ?? '+Inf';
      pipeline
        .hincrby(this.latencyKey, `${provider}|${bucket}`, 1)
        .hincrbyfloat(this.latencyKey, `${provider}|sum`, seconds)
        .hincrby(this.latencyKey, `${provider}|count`, 1);
    }
    await pipeline.exec();
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

function group(hash: Record<string, string>): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const [field, value] of Object.entries(hash)) {
    const [provider, name] = field.split('|');
    if (!provider || !name) continue;
    if (!out.has(provider)) out.set(provider, new Map());
    out.get(provider)!.set(name, Number(value));
  }
  return out;
}
