import { outboxReader } from '@sms-mfa/tests/support/outbox-reader';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Logger } from '@sms-mfa/common/logger';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig as loadReferenceConfig } from '@sms-mfa/reference-api/config';
import { startReferenceApi } from '@sms-mfa/reference-api/service';
import type { RedisHarness } from '@sms-mfa/tests/support/redis-harness';
import type { createApplicationSchema } from '../../src/apps/application-input.js';
import { startBridge, type RunningBridge } from '../../src/service.js';
import { testConfig, TestClock } from './otp-fixtures.js';
import type { z } from 'zod';

/** The bridge (with the CIAM router and a hand-moved clock) beside a real reference API on the outbox provider. */
export interface DeviceAuthStack {
  readonly bridge: RunningBridge;
  readonly referenceUrl: string;
  readonly clock: TestClock;
  /** Registers an application and returns a bearer token for it (all its scopes unless `scope` narrows). */
  client(
    settings: Partial<z.input<typeof createApplicationSchema>> & { clientId: string },
    scope?: string,
  ): Promise<string>;
  /** Calls the bridge with JSON. */
  call(
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
  ): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }>;
  /** Waits for the newest message the outbox "sent" to `phone` after `after` messages, and returns the code in it. */
  codeSentTo(phone: string, after?: number): Promise<string>;
  /** Messages the outbox holds for `phone`, newest first. */
  outbox(phone: string): Promise<{ to: string; text: string; channel: string }[]>;
}

/** Starts the stack on the test file's Redis (the bridge under {mfa}); stopped through `redis.defer`. */
export async function startDeviceAuthStack(
  redis: Pick<RedisHarness, 'env' | 'defer'>,
  env: Record<string, string> = {},
  referenceEnv: Record<string, string> = {},
  clock: TestClock = new TestClock(),
  /** The bridge's logger (a capturing one, to read its lines); silent by default. */
  logger?: Logger,
): Promise<DeviceAuthStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'deviceauth-'));
  const reference = await startReferenceApi(
    loadReferenceConfig({
      ...redis.env,
      REFERENCE_API_PORT: '0',
      DATA_DIR: dataDir,
      PROVIDERS: 'outbox',
      LOG_LEVEL: 'error',
      ...referenceEnv,
    }),
    { role: 'all' },
  );
  const config = testConfig({
    ...redis.env,
    BRIDGE_PORT: '0',
    DATA_DIR: dataDir,
    REFERENCE_API_URL: reference.url ?? '',
    ...env,
  });
  const bridge = await startBridge(config, { now: clock.now, ...(logger ? { logger } : {}) });
  redis.defer(async () => {
    await bridge.close();
    await reference.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return stackApi(bridge, reference.url ?? '', clock);
}

function stackApi(bridge: RunningBridge, referenceUrl: string, clock: TestClock): DeviceAuthStack {
  const stack: DeviceAuthStack = {
    bridge,
    referenceUrl,
    clock,
    async client(settings, scope) {
      const secret = `secret-${settings.clientId}-0123456789`;
      await bridge.apps.create(
        { name: settings.clientId, scopes: ['mfa:send', 'mfa:verify'], ...settings },
        secret,
      );
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: settings.clientId,
        client_secret: secret,
        ...(scope ? { scope } : {}),
      });
      const res = await fetch(`${bridge.url}/ciam-mfa/v2/get/token`, {
        method: 'POST',
        body: form,
      });
      if (!res.ok) {
        throw new Error(`token for ${settings.clientId}: HTTP ${res.status} ${await res.text()}`);
      }
      return ((await res.json()) as { access_token: string }).access_token;
    },
    async call(method, path, token, body) {
      const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
      }
      const res = await fetch(`${bridge.url}${path}`, {
        method,
        headers,
        body:
          body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return {
        status: res.status,
        headers: res.headers,
        body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
      };
    },
    ...outboxReader(referenceUrl, bridge.context.config.referenceApi.apiKey),
  };
  return stack;
}
