import { outboxReader } from '@sms-mfa/tests/support/outbox-reader';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@sms-mfa/common/redis-server';
import { loadConfig as loadReferenceConfig } from '@sms-mfa/reference-api/config';
import { startReferenceApi } from '@sms-mfa/reference-api/service';
import type { Application } from '@sms-mfa/bridge/apps/application';
import { loadConfig } from '@sms-mfa/bridge/config';
import { setEmailDomain } from '@sms-mfa/bridge/email/email-domain';
import { startBridge, type RunningBridge } from '@sms-mfa/bridge/service';
import { TestClock } from '@sms-mfa/bridge/test/support/otp-fixtures';
import type { RedisHarness } from '../../support/redis-harness.js';

/** The demo client every pages stack is started with. */
export const DEMO = { clientId: 'demo-app', clientSecret: 'demo-secret-0123456789' } as const;
/** The default demo user's mobile number (bridge/demo-users.json). */
export const DEMO_PHONE = '+5511966191717';
const USERS_FILE = fileURLToPath(new URL('../../../bridge/demo-users.json', import.meta.url));

/** The bridge with its pages and the demo, a reference API on the outbox provider, and one clock for the code engine. */
export interface PagesStack {
  readonly url: string;
  readonly bridge: RunningBridge;
  readonly clock: TestClock;
  /**
   * Registers an application (3 s cooldown unless overridden) and sends a code to `phone` through
   * the CIAM API; an address instead gets an email code, from an application with a sender.
   */
  issue(
    phone: string,
    settings?: Partial<Pick<Application, 'resendCooldownSeconds' | 'maxAttempts' | 'returnUrls'>>,
  ): Promise<string>;
  /** Messages the outbox holds for `phone`, newest first. */
  outbox(phone: string): Promise<{ to: string; text: string }[]>;
  /** Waits for more than `after` messages to `phone` and returns the code in the newest. */
  codeSentTo(phone: string, after?: number): Promise<string>;
}

/**
 * Starts the stack on the test file's Redis; stopped through `redis.defer`. `env` overrides the
 * bridge's settings; as a function it gets the bridge's port (for a BRIDGE_PUBLIC_URL).
 */
export async function startPagesStack(
  redis: RedisHarness,
  env: Record<string, string> | ((port: number) => Record<string, string>) = {},
): Promise<PagesStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'pages-'));
  const reference = await startReferenceApi(
    loadReferenceConfig({
      ...redis.env,
      REFERENCE_API_PORT: '0',
      DATA_DIR: dataDir,
      PROVIDERS: 'outbox',
      LOG_LEVEL: 'error',
    }),
    { role: 'all' },
  );
  const port = await freePort();
  const clock = new TestClock();
  const config = loadConfig({
    ...redis.env,
    BRIDGE_PORT: String(port),
    BRIDGE_PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    BRIDGE_SECRET: 'pages-test-secret-0123456789abcdef',
    REFERENCE_API_URL: reference.url ?? '',
    BRIDGE_DEMO_CLIENT_ID: DEMO.clientId,
    BRIDGE_DEMO_CLIENT_SECRET: DEMO.clientSecret,
    DEMO_USERS_FILE: USERS_FILE,
    RATE_PHONE_SENDS: '1000',
    RATE_IP_SENDS_PER_HOUR: '10000',
    ...(typeof env === 'function' ? env(port) : env),
  });
  const bridge = await startBridge(config, { now: clock.now, pages: true });
  redis.defer(async () => {
    await bridge.close();
    await reference.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return stackApi(bridge, reference.url ?? '', clock);
}

/** The settings and the request body that send a code to `destination`: a number, or an address by email. */
function sendingTo(destination: string) {
  return destination.includes('@')
    ? {
        settings: { deviceTypes: ['SMS', 'EMAIL'], emailFrom: 'Acme Shop <no-reply@shop.example>' },
        body: { email: destination, deviceType: 'email' },
      }
    : { settings: {}, body: { phoneNumber: destination, deviceType: 'sms' } };
}

function stackApi(bridge: RunningBridge, referenceUrl: string, clock: TestClock): PagesStack {
  let apps = 0;
  const stack: PagesStack = {
    url: bridge.url,
    bridge,
    clock,
    async issue(phone, settings = {}) {
      const clientId = `shop-${++apps}`;
      const secret = `secret-${clientId}-0123456789`;
      const sending = sendingTo(phone);
      await bridge.apps.create(
        {
          name: 'Shop',
          brand: 'Acme Shop',
          resendCooldownSeconds: 3,
          scopes: ['mfa:send', 'mfa:verify'],
          ...sending.settings,
          ...settings,
          returnUrls: [...(settings.returnUrls ?? [])],
          clientId,
        },
        secret,
      );
      if (phone.includes('@')) {
        const { serverSecret } = bridge.context;
        await setEmailDomain(bridge.apps, serverSecret, clientId, { domain: 'shop.example' });
      }
      const form = new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: clientId,
        client_secret: secret,
      });
      const token = (await (
        await fetch(`${bridge.url}/realms/mfa/protocol/openid-connect/token`, {
          method: 'POST',
          body: form,
        })
      ).json()) as { access_token: string };
      const res = await fetch(`${bridge.url}/ciam-mfa/v2/deviceAuthentications`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token.access_token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ userName: `user-${clientId}`, ...sending.body }),
      });
      if (res.status !== 201) {
        throw new Error(`issue: HTTP ${res.status} ${await res.text()}`);
      }
      return ((await res.json()) as { authId: string }).authId;
    },
    ...outboxReader(referenceUrl),
  };
  return stack;
}
