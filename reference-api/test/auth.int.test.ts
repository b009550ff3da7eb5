import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { before, describe, it } from 'node:test';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { postJson, startApi } from './support/api-harness.js';

/** A minimal OIDC issuer on loopback: discovery and JWKS, and a way to mint tokens. */
async function fakeIssuer() {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  let issuer = '';
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    const body = req.url?.endsWith('/.well-known/openid-configuration')
      ? { issuer, jwks_uri: `${issuer}/protocol/openid-connect/certs` }
      : req.url?.endsWith('/certs')
        ? { keys: [jwk] }
        : undefined;
    res.statusCode = body ? 200 : 404;
    res.end(JSON.stringify(body ?? {}));
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/test`;
  const mint = (scope: string, claims: { iss?: string; exp?: number; aud?: string } = {}) => {
    const jwt = new SignJWT({ scope, azp: 'keycloak-sms', typ: 'Bearer' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ: 'JWT' })
      .setIssuer(claims.iss ?? issuer)
      .setIssuedAt()
      .setExpirationTime(claims.exp ?? '5m');
    if (claims.aud) {
      jwt.setAudience(claims.aud);
    }
    return jwt.sign(privateKey);
  };
  return { issuer, mint, close: () => new Promise<void>((r) => server.close(() => r())) };
}

const BODY = { mobile: '+5511966191717', totp: '123456' };

describe('the reference API with authentication configured', () => {
  const redis = useRedis();
  let url: string;
  let issuer: Awaited<ReturnType<typeof fakeIssuer>>;
  before(async () => {
    issuer = await fakeIssuer();
    const api = await startApi(redis.url, {
      REFERENCE_API_KEY: 'k'.repeat(32),
      OIDC_ISSUER_URL: issuer.issuer,
    });
    url = api.url;
    redis.defer(async () => {
      await api.close();
      await issuer.close();
    });
  });

  it('refuses a request without credentials with 401 and a WWW-Authenticate challenge', async () => {
    const res = await postJson(`${url}/api/sms`, BODY);
    assert.equal(res.status, 401);
    assert.equal(res.body.code, 'UNAUTHORIZED');
    assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer/);
  });

  it('accepts the static API key as a bearer token or in X-Api-Key', async () => {
    assert.equal(
      (await postJson(`${url}/api/sms`, BODY, { Authorization: `Bearer ${'k'.repeat(32)}` }))
        .status,
      202,
    );
    assert.equal(
      (await postJson(`${url}/api/sms`, BODY, { 'X-Api-Key': 'k'.repeat(32) })).status,
      202,
    );
  });

  it('refuses a wrong API key', async () => {
    assert.equal(
      (await postJson(`${url}/api/sms`, BODY, { 'X-Api-Key': 'x'.repeat(32) })).status,
      401,
    );
  });

  it('accepts a JWT from OIDC_ISSUER_URL with scope messages:send', async () => {
    const token = await issuer.mint('openid messages:send');
    assert.equal(
      (await postJson(`${url}/api/sms`, BODY, { Authorization: `Bearer ${token}` })).status,
      202,
    );
  });

  it('accepts a Keycloak client-credentials token without OIDC_AUDIENCE: azp names the client, aud is "account" or absent', async () => {
    for (const aud of ['account', undefined]) {
      const token = await issuer.mint('profile email messages:send', { aud });
      const res = await postJson(`${url}/api/sms`, BODY, { Authorization: `Bearer ${token}` });
      assert.equal(res.status, 202, `aud ${aud}: ${JSON.stringify(res.body)}`);
    }
  });

  it('answers 403 for a valid JWT without the messages:send scope', async () => {
    const token = await issuer.mint('openid');
    const res = await postJson(`${url}/api/sms`, BODY, { Authorization: `Bearer ${token}` });
    assert.equal(res.status, 403);
    assert.equal(res.body.code, 'FORBIDDEN');
  });

  it('refuses an expired JWT, one from another issuer and a tampered one', async () => {
    const expired = await issuer.mint('messages:send', {
      exp: Math.floor(Date.now() / 1000) - 120,
    });
    const foreign = await issuer.mint('messages:send', { iss: 'https://evil.example/realms/x' });
    const good = await issuer.mint('messages:send');
    const [h, p, s] = good.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), scope: 'messages:send admin' })).toString('base64url')}.${s}`;
    for (const token of [expired, foreign, tampered]) {
      assert.equal(
        (await postJson(`${url}/api/sms`, BODY, { Authorization: `Bearer ${token}` })).status,
        401,
      );
    }
  });

  it('still serves health and metrics without credentials', async () => {
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.equal((await fetch(`${url}/metrics`)).status, 200);
  });
});

describe('the reference API with OIDC_AUDIENCE set', () => {
  const redis = useRedis();
  it('accepts only tokens for that audience', async () => {
    const issuer = await fakeIssuer();
    const api = await startApi(redis.url, {
      OIDC_ISSUER_URL: issuer.issuer,
      OIDC_AUDIENCE: 'sms-api',
    });
    redis.defer(async () => {
      await api.close();
      await issuer.close();
    });
    const status = async (aud: string | undefined) =>
      (
        await postJson(`${api.url}/api/sms`, BODY, {
          Authorization: `Bearer ${await issuer.mint('messages:send', { aud })}`,
        })
      ).status;
    assert.equal(await status('sms-api'), 202);
    assert.equal(await status('account'), 401);
    assert.equal(await status(undefined), 401);
  });
});
