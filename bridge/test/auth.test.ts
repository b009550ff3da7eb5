// Bearer authentication of the bridge's API, attacked through a protected route (the admin API).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { before, describe, it } from 'node:test';
import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  SignJWT,
  UnsecuredJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import { freePort } from '@sms-mfa/common/redis-server';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import {
  ADMIN,
  call,
  fetchToken,
  startTestBridge,
  type TestBridge,
} from './support/bridge-harness.js';

const PROTECTED = '/admin/v1/applications';

interface Claims {
  iss?: string;
  aud?: string;
  azp?: string;
  scope?: string;
  exp?: number;
  nbf?: number;
}

async function sign(
  key: CryptoKey | Uint8Array,
  header: { alg: string; kid?: string },
  claims: Claims,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ typ: 'Bearer', ...claims, exp: claims.exp ?? now + 300 })
    .setProtectedHeader(header)
    .setIssuedAt(now)
    .setJti(crypto.randomUUID())
    .sign(key);
}

async function expectRefused(
  bridge: TestBridge,
  token: string | undefined,
  status = 401,
  rawHeader?: string,
): Promise<{ body: Record<string, unknown>; challenge: string }> {
  const res = rawHeader
    ? await fetch(`${bridge.url}${PROTECTED}`, { headers: { authorization: rawHeader } })
    : await call(`${bridge.url}${PROTECTED}`, token);
  assert.equal(res.status, status);
  const challenge = res.headers.get('www-authenticate') ?? '';
  assert.match(challenge, /^Bearer realm="mfa"/);
  const body = (await res.json()) as Record<string, unknown>;
  assert.equal(body['status'], 'FAILURE');
  assert.equal('applications' in body, false);
  return { body, challenge };
}

describe('bearer authentication with the embedded issuer', () => {
  const redis = useRedis();
  let bridge: TestBridge;
  let good: Claims;
  let signingKey: { kid: string; privateKey: CryptoKey };
  before(async () => {
    bridge = await startTestBridge(redis.url);
    redis.defer(() => bridge.close());
    good = {
      iss: bridge.config.issuer.url,
      aud: 'sms-mfa',
      azp: ADMIN.clientId,
      scope: 'mfa:admin',
    };
    signingKey = await bridge.keys!.signingKey();
  });

  it('lets a valid admin token through', async () => {
    const res = await call(
      `${bridge.url}${PROTECTED}`,
      await fetchToken(bridge.url, ADMIN.clientId, ADMIN.clientSecret),
    );
    assert.equal(res.status, 200);
  });

  it('asks for a token, without an error code, when none is sent', async () => {
    const { body, challenge } = await expectRefused(bridge, undefined);
    assert.equal(challenge, 'Bearer realm="mfa"');
    assert.equal(body['code'], 'UNAUTHORIZED');
    assert.equal(body['errorCode'], 10002);
  });

  it('refuses a malformed token', async () => {
    const { challenge } = await expectRefused(bridge, undefined, 401, 'Bearer not-a-jwt');
    assert.match(challenge, /error="invalid_token"/);
  });

  it('refuses a token signed by another key, even under the real kid', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const { challenge } = await expectRefused(
      bridge,
      await sign(privateKey, { alg: 'RS256', kid: signingKey.kid }, good),
    );
    assert.match(challenge, /error="invalid_token"/);
  });

  it('refuses an unsigned token (alg none), with or without a signature part', async () => {
    const unsigned = new UnsecuredJWT({
      ...good,
      exp: Math.floor(Date.now() / 1000) + 300,
    }).encode();
    await expectRefused(bridge, undefined, 401, `Bearer ${unsigned}`);
    await expectRefused(bridge, undefined, 401, `Bearer ${unsigned}c2ln`);
  });

  it('refuses an HS256 token whose secret is the public key (algorithm confusion)', async () => {
    const jwks = (await (
      await fetch(`${bridge.url}/realms/mfa/protocol/openid-connect/certs`)
    ).json()) as { keys: JWK[] };
    const pem = await exportSPKI(
      (await importJWK(jwks.keys[0]!, 'RS256', { extractable: true })) as CryptoKey,
    );
    await expectRefused(
      bridge,
      await sign(new TextEncoder().encode(pem), { alg: 'HS256', kid: signingKey.kid }, good),
    );
  });

  it('refuses a token from another issuer, even signed with the right key', async () => {
    await expectRefused(
      bridge,
      await sign(
        signingKey.privateKey,
        { alg: 'RS256', kid: signingKey.kid },
        { ...good, iss: 'https://evil.example/realms/mfa' },
      ),
    );
  });

  it('refuses a token for another audience', async () => {
    await expectRefused(
      bridge,
      await sign(
        signingKey.privateKey,
        { alg: 'RS256', kid: signingKey.kid },
        { ...good, aud: 'another-api' },
      ),
    );
  });

  it('refuses an expired token with errorCode 10001', async () => {
    const expired = await sign(
      signingKey.privateKey,
      { alg: 'RS256', kid: signingKey.kid },
      { ...good, exp: Math.floor(Date.now() / 1000) - 120 },
    );
    const { body, challenge } = await expectRefused(bridge, expired);
    assert.equal(body['errorCode'], 10001);
    assert.match(challenge, /error="invalid_token", error_description="The access token expired"/);
  });

  it('refuses a token that is not valid yet', async () => {
    await expectRefused(
      bridge,
      await sign(
        signingKey.privateKey,
        { alg: 'RS256', kid: signingKey.kid },
        { ...good, nbf: Math.floor(Date.now() / 1000) + 600 },
      ),
    );
  });

  it('answers 403 insufficient_scope to a valid token without the admin scope', async () => {
    const shop = await bridge.apps.create({ name: 'Shop' });
    const token = await fetchToken(bridge.url, shop.application.clientId, shop.clientSecret);
    const { body, challenge } = await expectRefused(bridge, token, 403);
    assert.equal(body['code'], 'FORBIDDEN');
    assert.equal(challenge, 'Bearer realm="mfa", error="insufficient_scope", scope="mfa:admin"');
  });

  it('refuses a token whose scope the application has since lost', async () => {
    const ops = await bridge.apps.create({ name: 'Ops', scopes: ['mfa:admin'] });
    const token = await fetchToken(bridge.url, ops.application.clientId, ops.clientSecret);
    await bridge.apps.update(ops.application.clientId, { scopes: ['mfa:send'] });
    await expectRefused(bridge, token, 403);
  });

  it('refuses the token of an application that was deleted', async () => {
    const gone = await bridge.apps.create({ name: 'Gone', scopes: ['mfa:admin'] });
    const token = await fetchToken(bridge.url, gone.application.clientId, gone.clientSecret);
    assert.equal((await call(`${bridge.url}${PROTECTED}`, token)).status, 200);
    await bridge.apps.remove(gone.application.clientId);
    const { challenge } = await expectRefused(bridge, token);
    assert.match(challenge, /error="invalid_token"/);
  });
});

/** A stand-in for a Keycloak realm: discovery and JWKS on loopback, and a key to sign with. */
async function fakeIssuer(): Promise<{
  url: string;
  kid: string;
  privateKey: CryptoKey;
  server: Server;
}> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const kid = 'kc-key-1';
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  let url = '';
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    const documents: Record<string, unknown> = {
      '/realms/acme/.well-known/openid-configuration': {
        issuer: url,
        jwks_uri: `${url}/protocol/openid-connect/certs`,
      },
      '/realms/acme/protocol/openid-connect/certs': { keys: [jwk] },
    };
    const document = documents[req.url ?? ''];
    res.statusCode = document ? 200 : 404;
    res.end(JSON.stringify(document ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/acme`;
  return { url, kid, privateKey, server };
}

describe('bearer authentication with an external issuer (OIDC_ISSUER_URL)', () => {
  const redis = useRedis();
  let bridge: TestBridge;
  let issuer: Awaited<ReturnType<typeof fakeIssuer>>;
  before(async () => {
    issuer = await fakeIssuer();
    redis.defer(() => new Promise((resolve) => issuer.server.close(resolve)));
    bridge = await startTestBridge(redis.url, { OIDC_ISSUER_URL: issuer.url });
    redis.defer(() => bridge.close());
  });

  it('accepts a token from that issuer whose azp is a registered application', async () => {
    const token = await sign(
      issuer.privateKey,
      { alg: 'RS256', kid: issuer.kid },
      { iss: issuer.url, azp: ADMIN.clientId, scope: 'profile mfa:admin' },
    );
    const res = await call(`${bridge.url}${PROTECTED}`, token);
    assert.equal(res.status, 200);
  });

  it('refuses a token from that issuer whose azp is no registered application', async () => {
    const token = await sign(
      issuer.privateKey,
      { alg: 'RS256', kid: issuer.kid },
      { iss: issuer.url, azp: 'stranger', scope: 'mfa:admin' },
    );
    await expectRefused(bridge, token);
  });

  it("refuses a token signed by another key under that issuer's name", async () => {
    const { privateKey } = await generateKeyPair('RS256');
    await expectRefused(
      bridge,
      await sign(
        privateKey,
        { alg: 'RS256', kid: issuer.kid },
        { iss: issuer.url, azp: ADMIN.clientId, scope: 'mfa:admin' },
      ),
    );
  });

  it('answers 503 UNAVAILABLE, not 401, while the issuer cannot be reached', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}/realms/acme`;
    const cut = await startTestBridge(redis.url, { OIDC_ISSUER_URL: nowhere });
    try {
      const token = await sign(
        issuer.privateKey,
        { alg: 'RS256', kid: issuer.kid },
        { iss: nowhere, azp: ADMIN.clientId, scope: 'mfa:admin' },
      );
      const res = await call(`${cut.url}${PROTECTED}`, token);
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '5');
    } finally {
      await cut.close();
    }
  });

  it('does not run the embedded issuer', async () => {
    const res = await fetch(`${bridge.url}/realms/mfa/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: ADMIN.clientId,
        client_secret: ADMIN.clientSecret,
      }),
    });
    assert.equal(res.status, 404);
    assert.equal(bridge.keys, undefined);
  });
});
