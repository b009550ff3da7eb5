// Health, readiness, metrics and the OpenAPI document, which must describe every route the bridge serves.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { startLocalRedis } from '@sms-mfa/common/redis-server';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { openapi } from '../src/http/openapi.js';
import {
  ADMIN,
  call,
  fetchToken,
  startTestBridge,
  type TestBridge,
} from './support/bridge-harness.js';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every `METHOD /path` the app routes, OpenAPI-style (`{param}`), walking nested routers. */
function routesOf(stack: Layer[]): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = layer.route.path
        .replace(/:(\w+)/g, '{$1}')
        .replace(/^\/realms\/mfa\//, '/realms/{realm}/');
      return Object.keys(layer.route.methods)
        .filter((m) => m !== '_all')
        .map((m) => `${m.toUpperCase()} ${path}`);
    }
    return layer.handle?.stack ? routesOf(layer.handle.stack) : [];
  });
}

function documented(): string[] {
  return Object.entries(openapi.paths).flatMap(([path, item]) =>
    Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

describe('operating the bridge', () => {
  const redis = useRedis();
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge(redis.url);
    redis.defer(() => bridge.close());
  });

  it('documents every route it serves in /openapi.json, and documents no route it does not serve', async () => {
    const served = routesOf((bridge.app as unknown as { router: { stack: Layer[] } }).router.stack);
    const paths = new Set(documented());
    assert.deepEqual(
      served.filter((r) => !paths.has(r)),
      [],
      'served but not documented',
    );
    assert.deepEqual(
      [...paths].filter((r) => !served.includes(r)),
      [],
      'documented but not served',
    );
    const res = await fetch(`${bridge.url}/openapi.json`);
    assert.equal(((await res.json()) as { openapi: string }).openapi, '3.1.0');
  });

  it('reports itself alive on /healthz and ready on /readyz while Redis answers', async () => {
    assert.deepEqual(await (await fetch(`${bridge.url}/healthz`)).json(), { status: 'ok' });
    const ready = await fetch(`${bridge.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ready', checks: { redis: true } });
  });

  it('serves Prometheus metrics with request counts by route pattern and the code counters', async () => {
    const token = await fetchToken(bridge.url, ADMIN.clientId, ADMIN.clientSecret);
    await call(`${bridge.url}/admin/v1/applications/some-app`, token);
    const text = await (await fetch(`${bridge.url}/metrics`)).text();
    assert.match(
      text,
      /http_requests_total\{method="GET",route="\/admin\/v1\/applications\/:clientId",status="404"\} 1/,
    );
    assert.match(text, /# TYPE mfa_codes_issued_total counter/);
    assert.doesNotMatch(text, /some-app/);
  });

  it('sends security headers and a request id on every answer', async () => {
    const res = await fetch(`${bridge.url}/healthz`, {
      headers: { 'x-request-id': 'trace-me-123' },
    });
    assert.equal(res.headers.get('x-request-id'), 'trace-me-123');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('x-powered-by'), null);
  });

  it('holds one Redis connection for every router it mounts, pages included, and closes it when it stops', async () => {
    const connections = async () =>
      String(await redis.client().call('CLIENT', 'LIST'))
        .split('\n')
        .filter(Boolean).length;
    const before = await connections();
    const another = await startTestBridge(redis.url, {}, { pages: true });
    assert.equal(await connections(), before + 1);
    await another.close();
    for (let waited = 0; (await connections()) > before && waited < 2000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(await connections(), before);
  });

  it('answers unknown routes with 404 in the CIAM failure shape', async () => {
    const res = await fetch(`${bridge.url}/nowhere`);
    assert.equal(res.status, 404);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body['status'], 'FAILURE');
    assert.equal(body['code'], 'NOT_FOUND');
  });
});

describe('the bridge without Redis', () => {
  it('stays alive, reports not ready, and answers 503 UNAVAILABLE instead of failing requests half-way', async () => {
    const local = await startLocalRedis();
    const bridge = await startTestBridge(local.url);
    try {
      const token = await fetchToken(bridge.url, ADMIN.clientId, ADMIN.clientSecret);
      await local.stop();
      assert.equal((await fetch(`${bridge.url}/healthz`)).status, 200);
      const ready = await fetch(`${bridge.url}/readyz`);
      assert.equal(ready.status, 503);
      assert.deepEqual(await ready.json(), { status: 'not_ready', checks: { redis: false } });
      const res = await call(`${bridge.url}/admin/v1/applications`, token);
      assert.equal(res.status, 503);
      assert.equal(((await res.json()) as { code: string }).code, 'UNAVAILABLE');
      assert.equal(res.headers.get('retry-after'), '5');
    } finally {
      await bridge.close();
      await local.stop();
    }
  });

  it('answers a token request at the Keycloak-compatible path in OAuth’s shape: 503 temporarily_unavailable with Retry-After', async () => {
    const local = await startLocalRedis();
    const bridge = await startTestBridge(local.url);
    try {
      await local.stop();
      const res = await fetch(`${bridge.url}/realms/mfa/protocol/openid-connect/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `grant_type=client_credentials&client_id=${ADMIN.clientId}&client_secret=${ADMIN.clientSecret}`,
      });
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '5');
      assert.equal(res.headers.get('cache-control'), 'no-store');
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(body['error'], 'temporarily_unavailable');
      assert.equal(typeof body['error_description'], 'string');
    } finally {
      await bridge.close();
      await local.stop();
    }
  });
});
