import { loadConfig } from '../../src/config.js';
import { startReferenceApi, type RunningService, type StartOptions } from '../../src/service.js';
import { createLogger } from '@sms-mfa/common/logger';
import { redisEnv } from '@sms-mfa/tests/support/redis-target';
import { scratchDir } from './worker-harness.js';

/** Starts the whole reference API (HTTP + worker) on a free port against `redisUrl` (a useRedis() url: one server or a cluster). */
export async function startApi(
  redisUrl: string,
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<RunningService & { url: string }> {
  const config = loadConfig({
    ...redisEnv(redisUrl),
    REFERENCE_API_PORT: '0',
    DATA_DIR: scratchDir(),
    PROVIDERS: 'outbox',
    RETRY_BASE_DELAY_MS: '20',
    ...env,
  });
  const service = await startReferenceApi(config, {
    logger: createLogger('test', 'silent'),
    ...options,
  });
  if (!service.url) {
    throw new TypeError('the API did not start');
  }
  return service as RunningService & { url: string };
}

/** POSTs JSON (a string body is sent as it is) and returns status, headers and parsed body. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: res.status,
    headers: res.headers,
    body: (await res.json().catch(() => undefined)) as Record<string, any>,
  };
}

/** Polls until `check` returns a value or the time is up. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`condition not met within ${timeoutMs} ms`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
