// One real Keycloak per test file, with the provider jar built from this checkout, in front of a
// real bridge and reference API (outbox provider) on a real Redis, and Debian's Chromium.
// Scenarios keep apart by realm: each makes its own from the demo realm file.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { buildAuthenticatorJar } from '@sms-mfa/bridge/keycloak/authenticator-jar';
import {
  startDeviceAuthStack,
  type DeviceAuthStack,
} from '@sms-mfa/bridge/test/support/deviceauth-stack';
import { TestClock, testPhone } from '@sms-mfa/bridge/test/support/otp-fixtures';
import { launchChromium } from '../../browser/support/page-checks.js';
import {
  demoRealm,
  type RealmChanges,
  type RealmRepresentation,
} from '@sms-mfa/bridge/keycloak/server/realm';
import {
  startKeycloak,
  type KeycloakOptions,
  type RunningKeycloak,
} from '@sms-mfa/bridge/keycloak/server/server';
import { useRedis, type RedisHarness } from '../../support/redis-harness.js';
import { KeycloakAdmin } from './admin.js';

/** Where the Keycloak scenarios leave their screenshots (git-ignored). */
export const ARTIFACTS = join(import.meta.dirname, '../../artifacts/keycloak');
/** The bridge application Keycloak's script signs in as (3 s resend cooldown, so tests can wait it out). */
export const BRIDGE_CLIENT = {
  id: 'keycloak-sms',
  secret: 'secret-keycloak-sms-0123456789',
} as const;
/** Every test user's password. */
export const PASSWORD = 'correct horse 42';
const START_TIMEOUT_MS = 900_000;

/** A user of one realm. */
export interface TestUser {
  readonly realm: string;
  readonly id: string;
  readonly username: string;
  readonly password: string;
  /** Empty for a user without a mobile number. */
  readonly phone: string;
}

/** A page with what went wrong on it: console errors, page errors, failed requests. */
export interface WatchedPage {
  readonly page: Page;
  readonly problems: string[];
  /** Every response: URL and status. */
  readonly responses: { url: string; status: number }[];
}

/** What a Keycloak test file has once its `before` ran. */
export interface KeycloakE2e {
  readonly kc: RunningKeycloak;
  readonly admin: KeycloakAdmin;
  readonly stack: DeviceAuthStack;
  readonly redis: RedisHarness;
  readonly browser: Browser;
  /** Creates a realm from the demo realm file (without its users), the script pointed at the test bridge. */
  realm(name: string, changes?: RealmChanges): Promise<string>;
  /** Creates a user with a fresh number (`phone: null` for none). */
  user(realm: string, options?: { phone?: string | null }): Promise<TestUser>;
  /** A fresh browser context and page that records problems. */
  page(): Promise<WatchedPage>;
}

/** Settings the script reads, pointing it at this file's bridge with BRIDGE_CLIENT. */
export function scriptAttributes(bridgeUrl: string): Record<string, string> {
  return {
    smsMfaBridgeUrl: bridgeUrl,
    smsMfaClientId: BRIDGE_CLIENT.id,
    smsMfaClientSecret: BRIDGE_CLIENT.secret,
  };
}

/** The Keycloak options a file wants once the bridge runs (its URL is known by then). */
export type KeycloakSetup = (
  bridgeUrl: string,
  scratch: string,
) => Omit<KeycloakOptions, 'providers'>;

/** Registers the hooks that start everything before the file's tests and stop it after. */
export function useKeycloakE2e(setup: KeycloakSetup = () => ({})): KeycloakE2e {
  const redis = useRedis();
  let users = 0;
  const e2e = { redis } as { -readonly [K in keyof KeycloakE2e]: KeycloakE2e[K] };
  before(
    async () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      const scratch = mkdtempSync(join(tmpdir(), 'kc-e2e-'));
      redis.defer(() => rmSync(scratch, { recursive: true, force: true }));
      e2e.stack = await startDeviceAuthStack(
        redis,
        {
          RATE_PHONE_SENDS: '1000',
          RATE_IP_SENDS_PER_HOUR: '100000',
          RATE_APP_SENDS_PER_MINUTE: '100000',
          RATE_COUNTRY_SENDS_PER_MINUTE: '100000',
        },
        {},
        new TestClock(Date.now(), { running: true }),
      );
      await e2e.stack.client({
        clientId: BRIDGE_CLIENT.id,
        brand: 'Acme',
        resendCooldownSeconds: 3,
      });
      const jar = buildAuthenticatorJar(join(scratch, 'sms-mfa-authenticator.jar'));
      e2e.kc = await startKeycloak({
        ...setup(e2e.stack.bridge.url, scratch),
        providers: [jar],
      });
      redis.defer(() => {
        // The server's log stays beside the screenshots, for whoever reads a failure.
        copyFileSync(e2e.kc.logFile, join(ARTIFACTS, `keycloak-${e2e.kc.version}.log`));
        return e2e.kc.stop();
      });
      e2e.admin = new KeycloakAdmin(e2e.kc);
      e2e.browser = await launchChromium();
      redis.defer(() => e2e.browser.close());
    },
    { timeout: START_TIMEOUT_MS },
  );
  e2e.realm = async (name, changes = {}) => {
    const realm: RealmRepresentation = demoRealm({
      ...changes,
      realm: name,
      attributes: { ...scriptAttributes(e2e.stack.bridge.url), ...changes.attributes },
      fields: { users: [], ...changes.fields },
    });
    await e2e.admin.createRealm(realm);
    return name;
  };
  e2e.user = async (realm, options = {}) => {
    const index = users++;
    const username = `user${index}`;
    const phone = options.phone === null ? '' : (options.phone ?? testPhone(index));
    const id = await e2e.admin.createUser(realm, {
      username,
      password: PASSWORD,
      ...(phone ? { phone } : {}),
    });
    return { realm, id, username, password: PASSWORD, phone };
  };
  e2e.page = async () => {
    const context = await e2e.browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    const problems: string[] = [];
    const responses: { url: string; status: number }[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') {
        problems.push(`console: ${m.text()}`);
      }
    });
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('response', (r) => responses.push({ url: r.url(), status: r.status() }));
    return { page, problems, responses };
  };
  return e2e;
}

/** How many token requests the bridge has answered, from its /metrics. */
export async function tokenRequests(bridgeUrl: string): Promise<number> {
  const text = await (await fetch(`${bridgeUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith('http_requests_total') && l.includes('openid-connect/token'))
    .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
}
