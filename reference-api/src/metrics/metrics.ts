import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { httpMetrics } from '@sms-mfa/common/http-metrics';
import type { CircuitBreakers } from '../delivery/circuit-breaker.js';
import type { ProviderPauses } from '../delivery/provider-pause.js';
import type { SendQueue } from '../delivery/send.queue.js';
import type { SmsProvider } from '../providers/sms-provider.js';
import { LATENCY_BUCKETS_SECONDS, type SendStats } from './send-stats.js';
import type { SpendStats } from './spend-stats.js';

/** What /metrics reads, all of it shared through Redis, so any API process shows every worker's state. */
export interface MetricSources {
  readonly stats: SendStats;
  readonly spend: SpendStats;
  readonly queue: Pick<SendQueue, 'depth' | 'oldestWaitingSince'>;
  readonly providers: readonly Pick<SmsProvider, 'id'>[];
  readonly breakers: Pick<CircuitBreakers, 'openUntil'>;
  readonly pauses: Pick<ProviderPauses, 'pausedUntil'>;
}

/** The Prometheus registry of an API process: HTTP, the queue, provider state and the Redis-backed send figures. */
export function createMetrics(sources: MetricSources) {
  const { stats } = sources;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const observe = httpMetrics(registry);
  registerQueue(registry, sources.queue);
  registerProviderState(registry, sources);
  const sends = new Counter({
    name: 'sms_sends_total',
    help: 'Send outcomes and delivery receipts by provider (all workers)',
    labelNames: ['provider', 'outcome'],
    registers: [registry],
    async collect() {
      await stats.flush(); // this process's own sends, when it also runs the worker
      sends.reset();
      for (const [provider, outcomes] of await stats.counts().catch(() => new Map())) {
        for (const [outcome, n] of outcomes) {
          sends.inc({ provider, outcome }, n);
        }
      }
    },
  });
  registry.registerMetric(sendLatency(stats));
  registerSpend(registry, sources.spend);
  const replicaWaitsShort = new Counter({
    name: 'redis_wait_replicas_short_total',
    help: 'New messages acknowledged although fewer Redis replicas than REDIS_WAIT_REPLICAS held them in time, by connection (this process)',
    labelNames: ['connection'],
    registers: [registry],
  });
  return { registry, observe, replicaWaitsShort };
}

/** `mfa_spend_total` (what sends cost) and `mfa_unpriced_sends_total` (sends nothing priced), from Redis. */
function registerSpend(registry: Registry, spend: SpendStats): void {
  const spent = new Counter({
    name: 'mfa_spend_total',
    help: 'What sent messages cost, by the caller account (application), provider, country and currency (all workers)',
    labelNames: ['application', 'provider', 'country', 'currency'],
    registers: [registry],
    async collect() {
      await spend.flush();
      spent.reset();
      for (const { value, ...labels } of await spend.spend().catch(() => [])) {
        spent.inc(labels, value);
      }
    },
  });
  const unpriced = new Counter({
    name: 'mfa_unpriced_sends_total',
    help: 'Sent messages neither the provider nor the price table priced (all workers)',
    labelNames: ['application', 'provider', 'country'],
    registers: [registry],
    async collect() {
      await spend.flush();
      unpriced.reset();
      for (const { value, ...labels } of await spend.unpricedSends().catch(() => [])) {
        unpriced.inc(labels, value);
      }
    },
  });
}

/** `sms_queue_jobs{state}` and `sms_queue_oldest_waiting_seconds`: a backlog shows as age before it shows as count. */
function registerQueue(registry: Registry, queue: MetricSources['queue']): void {
  new Gauge({
    name: 'sms_queue_jobs',
    help: 'Send jobs by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const counts = await queue.depth().catch(() => ({}));
      for (const [state, n] of Object.entries(counts)) {
        this.set({ state }, n);
      }
    },
  });
  new Gauge({
    name: 'sms_queue_oldest_waiting_seconds',
    help: 'Age of the oldest send job waiting for a worker, since it was queued (0 when none waits)',
    registers: [registry],
    async collect() {
      const since = await queue.oldestWaitingSince().catch(() => null); // Redis down: keep the last value
      if (since !== null) {
        this.set(since === undefined ? 0 : Math.max(0, Date.now() - since) / 1000);
      }
    },
  });
}

/** `sms_provider_breaker_open{provider}` and `sms_provider_paused{provider}`, 1 or 0, read at scrape time. */
function registerProviderState(registry: Registry, sources: MetricSources): void {
  const ids = sources.providers.map((p) => p.id);
  const flag = (name: string, help: string, until: (id: string) => Promise<number>) =>
    new Gauge({
      name,
      help,
      labelNames: ['provider'],
      registers: [registry],
      async collect() {
        // One round trip for all providers (the connection auto-pipelines); unreadable: keep the last value.
        const values = await Promise.all(ids.map((id) => until(id).catch(() => undefined)));
        ids.forEach((provider, i) => {
          const value = values[i];
          if (value !== undefined) {
            this.set({ provider }, value > 0 ? 1 : 0);
          }
        });
      },
    });
  flag('sms_provider_breaker_open', 'Circuit breaker open (provider skipped) by provider', (id) =>
    sources.breakers.openUntil(id),
  );
  flag('sms_provider_paused', 'Provider paused after a 429 (rate limited) by provider', (id) =>
    sources.pauses.pausedUntil(id),
  );
}

/** A histogram whose buckets live in Redis (written by every worker), exposed as Prometheus text. */
function sendLatency(stats: SendStats) {
  const name = 'sms_send_duration_seconds';
  return {
    name,
    help: 'Provider call latency (all workers)',
    type: 'histogram',
    aggregator: 'sum',
    collect: () => undefined,
    reset: () => undefined,
    async get() {
      const values = [];
      for (const [provider, fields] of await stats
        .latency()
        .catch(() => new Map<string, Map<string, number>>())) {
        let cumulative = 0;
        for (const le of [...LATENCY_BUCKETS_SECONDS, '+Inf'] as const) {
          cumulative += fields.get(String(le)) ?? 0;
          values.push({
            metricName: `${name}_bucket`,
            labels: { provider, le },
            value: cumulative,
          });
        }
        values.push({
          metricName: `${name}_sum`,
          labels: { provider },
          value: fields.get('sum') ?? 0,
        });
        values.push({
          metricName: `${name}_count`,
          labels: { provider },
          value: fields.get('count') ?? 0,
        });
      }
      return {
        name,
        help: 'Provider call latency (all workers)',
        type: 'histogram' as const,
        aggregator: 'sum' as const,
        values,
      };
    },
  } as unknown as Histogram;
}
