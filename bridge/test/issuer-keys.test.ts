// The issuer's signing keys: made on first start, kept sealed in Redis, rotated without breaking live tokens.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { openTarget } from '@sms-mfa/tests/support/redis-target';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { SigningKeys } from '../src/issuer/keys.js';
import { loadOrCreateServerSecret } from '../src/server-secret.js';
import {
  ADMIN,
  call,
  fetchToken,
  startTestBridge,
  type TestBridge,
} from './support/bridge-harness.js';

const jwksOf = async (bridge: TestBridge) =>
  (
    (await (await fetch(`${bridge.url}/realms/mfa/protocol/openid-connect/certs`)).json()) as {
      keys: { kid: string }[];
    }
  ).keys.map((k) => k.kid);
const adminCall = (bridge: TestBridge, token: string) =>
  call(`${bridge.url}/admin/v1/applications`, token);

describe("the issuer's signing keys", () => {
  const redis = useRedis();
  let bridge: TestBridge;
  before(async () => {
    bridge = await startTestBridge(redis.url);
    redis.defer(() => bridge.close());
  });

  it('keeps the private key in Redis sealed, never as a readable JWK', async () => {
    const stored = Object.values(await redis.client().hgetall('{mfa}:issuer:keys')).map(
      (v) => JSON.parse(v) as Record<string, unknown>,
    );
    assert.equal(stored.length, 1);
    const [key] = stored;
    assert.equal('d' in (key!['publicJwk'] as object), false);
    assert.match(String(key!['sealedPrivate']), /^v1\./);
    assert.doesNotMatch(JSON.stringify(stored), /"d":|"p":|"q":/);
  });

  it('keeps tokens signed before a rotation valid, and publishes both keys until they expire', async () => {
    const before = await fetchToken(bridge.url, ADMIN.clientId, ADMIN.clientSecret);
    const res = await call(`${bridge.url}/admin/v1/keys/rotate`, before, { method: 'POST' });
    assert.equal(res.status, 200);
    const { kid, previousKid } = (await res.json()) as { kid: string; previousKid: string };
    assert.deepEqual(await jwksOf(bridge), [kid, previousKid], 'current key first');
    assert.equal((await adminCall(bridge, before)).status, 200, 'the old token still works');
    const after = await fetchToken(bridge.url, ADMIN.clientId, ADMIN.clientSecret);
    assert.equal(decodeProtectedHeader(after).kid, kid, 'new tokens use the new key');
    assert.equal((await adminCall(bridge, after)).status, 200);
  });

  it('revokes the previous key at once when rotated with no grace period', async () => {
    const old = await fetchToken(bridge.url, ADMIN.clientId, ADMIN.clientSecret);
    const { kid, previousKid } = await bridge.keys!.rotate(0);
    const published = await jwksOf(bridge);
    assert.equal(published[0], kid);
    assert.equal(published.includes(previousKid!), false);
    assert.equal((await adminCall(bridge, old)).status, 401);
  });

  it('signs with the same key after a restart over the same Redis and secret', async () => {
    const current = await jwksOf(bridge);
    // Instances behind one load balancer share the public URL, hence the issuer.
    const again = await startTestBridge(redis.url, { BRIDGE_PUBLIC_URL: bridge.config.publicUrl });
    try {
      assert.deepEqual(await jwksOf(again), current);
      const token = await fetchToken(again.url, ADMIN.clientId, ADMIN.clientSecret);
      assert.equal(
        (await adminCall(bridge, token)).status,
        200,
        'a token from one instance works on the other',
      );
    } finally {
      await again.close();
    }
  });

  it('refuses to start with a server secret other than the one that sealed the keys', async () => {
    await assert.rejects(
      startTestBridge(redis.url, { BRIDGE_SECRET: 'another-secret-entirely-0123456789' }),
      /BRIDGE_SECRET differs/,
    );
  });

  it('makes exactly one first key when several instances start together', async () => {
    const connection = openTarget(redis.url);
    try {
      const secret = Buffer.alloc(32, 7);
      const kids = await Promise.all(
        Array.from({ length: 4 }, () => new SigningKeys(connection, '{race}', secret).ensure()),
      );
      assert.equal(new Set(kids).size, 1);
      assert.equal(await connection.hlen('{race}:issuer:keys'), 1);
    } finally {
      connection.disconnect();
    }
  });
});

describe('the server secret of the embedded default', () => {
  it('is generated once, kept with mode 0600 under the data directory, and read back after', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bridge-secret-'));
    try {
      const first = loadOrCreateServerSecret(undefined, dir);
      assert.equal(first.generated, true);
      assert.equal(first.secret.length, 32);
      const file = join(dir, 'bridge-secret');
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const second = loadOrCreateServerSecret(undefined, dir);
      assert.equal(second.generated, false);
      assert.deepEqual(second.secret, first.secret);
      assert.equal(readFileSync(file, 'utf8').trim(), first.secret.toString('hex'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is never written when BRIDGE_SECRET is configured', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bridge-secret-'));
    try {
      const { secret, generated } = loadOrCreateServerSecret(
        'configured-secret-0123456789abcdef',
        dir,
      );
      assert.equal(generated, false);
      assert.equal(secret.toString(), 'configured-secret-0123456789abcdef');
      assert.equal(existsSync(join(dir, 'bridge-secret')), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
