import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { httpMetrics } from '@sms-mfa/common/http-metrics';
import { LATENCY_BUCKETS_SECONDS, type SendStats } from './send-stats.js';

/** The Prometheus registry of an API process: HTTP, queue depth, and the Redis-backed send figures. */
export function createMetrics(stats: SendStats, queueDepth: () => Promise<Record<string, number>>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const observe = httpMetrics(registry);
  new Gauge({
    name: 'sms_queue_jobs',
    help: 'Send jobs by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const counts = await queueDepth().catch(() => ({}));
      for (const [state, n] of Object.entries(counts)) {
        this.set({ state }, n);
      }
    },
  });
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
  return { registry, observe };
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
