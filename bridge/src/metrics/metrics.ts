import type { RequestHandler } from 'express';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { httpMetrics } from '@sms-mfa/common/http-metrics';

/** The bridge's Prometheus registry (`GET /metrics` serves it) and the middleware that counts HTTP requests on it. */
export interface BridgeMetrics {
  readonly registry: Registry;
  readonly observe: RequestHandler;
}

/** A fresh registry with the process's default metrics and the HTTP request counters. */
export function createMetrics(): BridgeMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return { registry, observe: httpMetrics(registry) };
}
