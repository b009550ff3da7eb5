import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { createLogger } from '@sms-mfa/common/logger';
import { outboxReader, type OutboxMessage } from '@sms-mfa/tests/support/outbox-reader';
import { useRedis, type RedisHarness } from '@sms-mfa/tests/support/redis-harness';
import { loadConfig as loadReferenceConfig } from '@sms-mfa/reference-api/config';
import { startReferenceApi } from '@sms-mfa/reference-api/service';
import { startBridge } from '../src/service.js';
import { assertFailure, type CallResult } from './support/ciam-response.js';
import { startFakeRealm, type FakeRealm } from './support/fake-oidc-realm.js';
import { testConfig, testPhone } from './support/otp-fixtures.js';
import { bareName } from '../src/otp/key-layout.js';

const BASE = '/ciam-mfa/v2/deviceAuthentications';
const BRIDGE_SECRET = 'sms-bridge-secret-0123456789';
const SHOP_SECRET = 'shop-secret-0123456789';
const TESTER_SECRET = 'tester-secret-0123456789';

/** A log the test reads: every JSON line the bridge wrote, whatever its level. */
function capturingLogger() {
  const logger = createLogger('bridge', 'warn');
  for (const transport of logger.transports) {
    transport.silent = true;
  }
  const lines: string[] = [];
  logger.on('data', (info: Record<symbol, string>) => lines.push(info[Symbol.for('message')]!));
  return { logger, lines };
}

/** A client-credentials token from the realm, as an application (or the test) gets one. */
async function realmToken(realm: FakeRealm, clientId: string, secret: string): Promise<string> {
  const res = await fetch(`${realm.issuer}/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: secret,
    }),
  });
  if (!res.ok) {
    throw new Error(`token for ${clientId}: HTTP ${res.status}`);
  }
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Asks for a new code as a user does on the hosted page: opens it, then posts its resend form. */
async function resendFromPage(bridgeUrl: string, authId: string): Promise<string> {
  const page = await fetch(`${bridgeUrl}/verify/${authId}`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const cookie = page.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  const res = await fetch(`${bridgeUrl}/verify/${authId}/resend`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf }),
  });
  return res.headers.get('location') ?? '';
}

let stacks = 0;

/**
 * What `npm start` runs with OIDC_ISSUER_URL set: a reference API requiring the realm's tokens
 * (scope messages:send), and a bridge (with its hosted pages) taking its applications' tokens from
 * the same realm and sending with its own client, on the test file's Redis. Each stack is fresh:
 * its reference API has not read the realm's keys yet, and its bridge holds no token.
 */
async function startOidcStack(redis: RedisHarness, realm: FakeRealm, bridgeSecret = BRIDGE_SECRET) {
  const n = ++stacks;
  const dataDir = mkdtempSync(join(tmpdir(), 'reference-oidc-'));
  const reference = await startReferenceApi(
    loadReferenceConfig({
      ...redis.env,
      REFERENCE_API_PORT: '0',
      DATA_DIR: dataDir,
      QUEUE_PREFIX: `{smsmfa${n}}`,
      PROVIDERS: 'outbox',
      OIDC_ISSUER_URL: realm.issuer,
      LOG_LEVEL: 'error',
    }),
    { role: 'all' },
  );
  const referenceUrl = reference.url ?? '';
  const keyPrefix = `{mfa${n}}`;
  const { logger, lines } = capturingLogger();
  const bridge = await startBridge(
    testConfig({
      ...redis.env,
      BRIDGE_PORT: '0',
      DATA_DIR: dataDir,
      KEY_PREFIX: keyPrefix,
      OIDC_ISSUER_URL: realm.issuer,
      REFERENCE_API_URL: referenceUrl,
      REFERENCE_API_CLIENT_ID: 'sms-bridge',
      REFERENCE_API_CLIENT_SECRET: bridgeSecret,
    }),
    { logger, pages: true },
  );
  redis.defer(async () => {
    await bridge.close();
    await reference.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  await bridge.apps.create({
    clientId: 'shop',
    name: 'Shop',
    scopes: ['mfa:send', 'mfa:verify'],
    resendCooldownSeconds: 0,
  });
  const shopToken = await realmToken(realm, 'shop', SHOP_SECRET);
  // Read lazily: a token fetched now could be signed with a key the realm rotates later.
  let testerToken: Promise<string> | undefined;
  const reader = async () =>
    outboxReader(referenceUrl, await (testerToken ??= realmToken(realm, 'tester', TESTER_SECRET)));
  return {
    url: bridge.url,
    keyPrefix,
    logLines: lines,
    async send(phoneNumber: string): Promise<CallResult> {
      const res = await fetch(`${bridge.url}${BASE}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${shopToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userName: 'jdoe', phoneNumber, deviceType: 'SMS' }),
      });
      return {
        status: res.status,
        headers: res.headers,
        body: (await res.json()) as Record<string, unknown>,
      };
    },
    codeSentTo: async (phone: string, after?: number) => (await reader()).codeSentTo(phone, after),
    outbox: async (phone: string): Promise<OutboxMessage[]> => (await reader()).outbox(phone),
  };
}

describe('the bridge sending through a reference API that requires OIDC tokens', () => {
  const redis = useRedis();
  let realm: FakeRealm;
  let phones = 0;
  const phone = () => testPhone(phones++);
  const bridgeRequests = (since = 0) =>
    realm.tokenRequests.slice(since).filter((r) => r.clientId === 'sms-bridge');
  before(async () => {
    realm = await startFakeRealm({
      'sms-bridge': { secret: BRIDGE_SECRET, scopes: ['messages:send'], audience: 'account' },
      shop: { secret: SHOP_SECRET, scopes: ['mfa:send', 'mfa:verify'] },
      tester: { secret: TESTER_SECRET, scopes: ['messages:send'] },
    });
    redis.defer(() => realm.close());
  });

  it('sends a code with a client-credentials token from the realm (HTTP Basic, scope messages:send), and the code arrives', async () => {
    const stack = await startOidcStack(redis, realm);
    const to = phone();
    const since = realm.tokenRequests.length;
    const res = await stack.send(to);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(res.body['status'], 'SUCCESS');
    assert.match(await stack.codeSentTo(to), /^\d{6}$/);
    assert.deepEqual(
      bridgeRequests(since).map((r) => [r.viaBasic, r.form, r.status]),
      [[true, { grant_type: 'client_credentials', scope: 'messages:send' }, 200]],
    );
  });

  it('answers 502 DELIVERY_UNAVAILABLE for a wrong client secret, queues nothing, and logs one line without secret or token', async () => {
    const stack = await startOidcStack(redis, realm, 'not-the-bridge-secret');
    const to = phone();
    assertFailure(await stack.send(to), 502, 'DELIVERY_UNAVAILABLE');
    assert.deepEqual(
      await redis.keys(`${bareName(stack.keyPrefix)}:*:auth:*`),
      [],
      'no authentication left behind',
    );
    assert.deepEqual(await stack.outbox(to), [], 'nothing was queued');
    // One line says why; the error handler's generic line for every 5xx is the only other.
    const explained = stack.logLines.filter((l) => /"level":"warn"/.test(l));
    assert.equal(explained.length, 1, stack.logLines.join('\n'));
    const line = JSON.parse(explained[0]!) as Record<string, unknown>;
    assert.equal(
      line['message'],
      'no access token for the reference API: the message was not sent',
    );
    assert.equal(line['clientId'], 'sms-bridge');
    assert.equal(line['reason'], 'the token endpoint answered HTTP 401 (invalid_client)');
    assert.deepEqual(
      stack.logLines.filter((l) => /"level":"error"/.test(l)).map((l) => JSON.parse(l).message),
      ['request failed'],
    );
    assert.doesNotMatch(stack.logLines.join('\n'), /not-the-bridge-secret|eyJ/);
  });

  it('fetches a new token once when the reference API rejects the one it holds (the realm rotated its key), and the send succeeds', async () => {
    const stack = await startOidcStack(redis, realm);
    const to = phone();
    const since = realm.tokenRequests.length;
    // The bridge's first token is signed with a key the realm retires at once: the fresh
    // reference API, reading the realm's keys for the first time, does not find it.
    realm.rotateKeyAfterNextToken();
    const res = await stack.send(to);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.match(await stack.codeSentTo(to), /^\d{6}$/);
    assert.equal(bridgeRequests(since).length, 2, 'one token, then one new one');
  });

  it('makes one token request for many concurrent sends', async () => {
    const stack = await startOidcStack(redis, realm);
    const since = realm.tokenRequests.length;
    const results = await Promise.all(Array.from({ length: 12 }, () => stack.send(phone())));
    assert.deepEqual(
      results.map((r) => r.status),
      results.map(() => 201),
    );
    assert.equal(bridgeRequests(since).length, 1);
  });

  it('makes one token request for a code sent through the API and resent from the hosted page: both use the one reference-API client', async () => {
    const stack = await startOidcStack(redis, realm);
    const to = phone();
    const since = realm.tokenRequests.length;
    const sent = await stack.send(to);
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    await stack.codeSentTo(to);
    const location = await resendFromPage(stack.url, String(sent.body['authId']));
    assert.match(location, /[?&]m=resent\b/);
    assert.match(await stack.codeSentTo(to, 1), /^\d{6}$/, 'the code went out again');
    assert.equal(bridgeRequests(since).length, 1, 'one token for both paths');
  });
});
