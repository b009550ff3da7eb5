// Guessing client secrets at the token endpoints: each address gets a budget of failures.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { startTestBridge, type TestBridge } from './support/bridge-harness.js';

const FAILURES = 3;
// The window opens with the first failure and must outlast the failures and both refusals: on a
// busy machine (or a cluster) those took over 2 s, and the CIAM refusal then found a fresh window.
const WINDOW_SECONDS = 5;

/** A bridge with a tight failure budget and a client; `tokenRequest` says it comes through a proxy for `address`. */
function tokenEndpoints(env: Record<string, string>) {
  const redis = useRedis();
  let bridge: TestBridge;
  const client = { clientId: '', clientSecret: '' };
  before(async () => {
    bridge = await startTestBridge(redis.url, {
      RATE_CLIENT_AUTH_FAILURES: String(FAILURES),
      RATE_CLIENT_AUTH_WINDOW_SECONDS: String(WINDOW_SECONDS),
      ...env,
    });
    redis.defer(() => bridge.close());
    const created = await bridge.apps.create({ name: 'Shop', clientId: 'shop-web' });
    Object.assign(client, {
      clientId: created.application.clientId,
      clientSecret: created.clientSecret,
    });
  });
  const tokenRequest = (
    address: string,
    secret: string,
    path = '/realms/mfa/protocol/openid-connect/token',
  ) =>
    fetch(`${bridge.url}${path}`, {
      method: 'POST',
      headers: { 'x-forwarded-for': address },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: secret,
      }),
    });
  return { client, tokenRequest };
}

describe('failed client logins from a local caller that makes up X-Forwarded-For, with no proxy trusted', () => {
  const { client, tokenRequest } = tokenEndpoints({});

  it('count against the one address the requests come from, whatever address each one claims', async () => {
    for (let i = 0; i < FAILURES; i++) {
      assert.equal((await tokenRequest(`198.51.100.${i}`, `wrong-${i}`)).status, 401);
    }
    const refused = await tokenRequest('198.51.100.99', client.clientSecret);
    assert.equal(refused.status, 429);
    assert.equal(((await refused.json()) as { error: string }).error, 'temporarily_unavailable');
  });
});

describe('failed client logins at the token endpoints, behind a proxy on loopback (TRUST_PROXY=loopback)', () => {
  const { client, tokenRequest } = tokenEndpoints({ TRUST_PROXY: 'loopback' });

  it('refuses an address that failed too often, even with the right secret, until its window ends', async () => {
    const address = '203.0.113.10';
    for (let i = 0; i < FAILURES; i++) {
      assert.equal((await tokenRequest(address, `wrong-${i}`)).status, 401);
    }

    const refused = await tokenRequest(address, client.clientSecret);
    assert.equal(refused.status, 429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    assert.ok(retryAfter >= 1 && retryAfter <= WINDOW_SECONDS, `Retry-After ${retryAfter}`);
    assert.equal(refused.headers.get('cache-control'), 'no-store');
    const body = (await refused.json()) as { error: string; error_description: string };
    assert.equal(body.error, 'temporarily_unavailable');
    assert.match(body.error_description, /too many failed client authentications/i);

    const ciam = await tokenRequest(address, client.clientSecret, '/ciam-mfa/v2/get/token');
    assert.equal(ciam.status, 429);
    assert.ok(Number(ciam.headers.get('retry-after')) >= 1);
    const ciamBody = (await ciam.json()) as Record<string, unknown>;
    assert.equal(ciamBody['status'], 'FAILURE');
    assert.equal(ciamBody['code'], 'RATE_LIMITED');

    await sleep(WINDOW_SECONDS * 1000 + 200);
    assert.equal((await tokenRequest(address, client.clientSecret)).status, 200);
  });

  it('keeps other addresses and well-behaved clients signing in: only failures count', async () => {
    const attacker = '203.0.113.20';
    for (let i = 0; i <= FAILURES; i++) {
      await tokenRequest(attacker, `wrong-${i}`);
    }
    assert.equal((await tokenRequest(attacker, client.clientSecret)).status, 429);

    const neighbour = '203.0.113.21';
    for (let i = 0; i < FAILURES * 3; i++) {
      assert.equal((await tokenRequest(neighbour, client.clientSecret)).status, 200);
    }
    assert.equal((await tokenRequest(neighbour, 'one-typo')).status, 401);
    assert.equal((await tokenRequest(neighbour, client.clientSecret)).status, 200);
  });
});
