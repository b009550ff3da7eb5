import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@sms-mfa/common/redis-server';
import { redisEnv } from '@sms-mfa/tests/support/redis-target';
import { loadConfig, type BridgeConfig } from '../../src/config.js';
import { startBridge, type RunningBridge, type StartBridgeOptions } from '../../src/service.js';

/** The admin client every test bridge is started with. */
export const ADMIN = { clientId: 'test-admin', clientSecret: 'admin-secret-0123456789' } as const;

/** A bridge on a free loopback port over the test's Redis, with its config. */
export interface TestBridge extends RunningBridge {
  readonly config: Readonly<BridgeConfig>;
}

/**
 * Starts a real bridge (HTTP on a free port, so `iss` and the discovery URLs are the real ones)
 * over `redisUrl` (a useRedis() url: one server or a cluster), with an admin client and a throwaway data directory. `env` overrides anything.
 */
export async function startTestBridge(
  redisUrl: string,
  env: Record<string, string> = {},
  options: StartBridgeOptions = {},
): Promise<TestBridge> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bridge-test-'));
  const config = loadConfig({
    ...redisEnv(redisUrl),
    BRIDGE_PORT: String(await freePort()),
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    // Shared by every test bridge, so a restart over the same Redis opens the same sealed keys.
    BRIDGE_SECRET: 'test-server-secret-0123456789abcdef',
    BRIDGE_ADMIN_CLIENT_ID: ADMIN.clientId,
    BRIDGE_ADMIN_CLIENT_SECRET: ADMIN.clientSecret,
    ...env,
  });
  const bridge = await startBridge(config, options).catch((err: unknown) => {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  });
  return {
    ...bridge,
    config,
    async close() {
      await bridge.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Asks the embedded issuer for a client-credentials token (form post); throws on refusal. */
export async function fetchToken(
  baseUrl: string,
  clientId: string,
  clientSecret: string,
  scope?: string,
): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: clientSecret,
    ...(scope ? { scope } : {}),
  });
  const res = await fetch(`${baseUrl}/realms/mfa/protocol/openid-connect/token`, {
    method: 'POST',
    body: form,
  });
  if (!res.ok) {
    throw new Error(`token request failed with ${res.status}: ${await res.text()}`);
  }
  return ((await res.json()) as { access_token: string }).access_token;
}

/** `fetch` with a bearer token and, for a body, JSON. */
export function call(
  url: string,
  token: string | undefined,
  init: { method?: string; body?: unknown } = {},
): Promise<Response> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  if (init.body !== undefined) {
    headers['content-type'] = 'application/json';
  }
  return fetch(url, {
    method: init.method ?? 'GET',
    headers,
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
}
