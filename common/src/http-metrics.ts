import type { RequestHandler } from 'express';
import { Counter, Histogram, type Registry } from 'prom-client';

/** Registers `http_requests_total` and `http_request_duration_seconds` on `registry` and returns the middleware that feeds them. */
export function httpMetrics(registry: Registry): RequestHandler {
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  // Label-bound children, looked up by one string: prom-client hashes a label object on every call.
  const counters = new Map<string, { inc(): void }>();
  const timers = new Map<string, { observe(seconds: number): void }>();
  const counterFor = (method: string, route: string, status: string) => {
    const key = `${method} ${route} ${status}`;
    let child = counters.get(key);
    if (!child) {
      counters.set(key, (child = requests.labels(method, route, status)));
    }
    return child;
  };
  const timerFor = (method: string, route: string) => {
    const key = `${method} ${route}`;
    let child = timers.get(key);
    if (!child) {
      timers.set(key, (child = duration.labels(method, route)));
    }
    return child;
  };
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      // The route pattern, never the raw path: ids in paths would explode the label set.
      const route = (req.route?.path as string | undefined) ?? 'unmatched';
      counterFor(req.method, route, String(res.statusCode)).inc();
      timerFor(req.method, route).observe(Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
