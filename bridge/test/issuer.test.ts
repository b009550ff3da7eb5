// The embedded token issuer over HTTP: Keycloak's paths and answers, the CIAM token path, OAuth errors.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { fetchToken, startTestBridge, type TestBridge } from './support/bridge-harness.js';

const form = (fields: Record<string, string>) => new URLSearchParams(fields);
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

describe('the embedded token issuer', () => {
  const redis = useRedis();
  let bridge: TestBridge;
  let tokenUrl: string;
  let client: { clientId: string; clientSecret: string };
  let creds: { client_id: string; client_secret: string };
  before(async () => {
    bridge = await startTestBridge(redis.url);
    redis.defer(() => bridge.close());
    tokenUrl = `${bridge.url}/realms/mfa/protocol/openid-connect/token`;
    const created = await bridge.apps.create({ name: 'Shop', clientId: 'shop-web' });
    client = { clientId: created.application.clientId, clientSecret: created.clientSecret };
    creds = { client_id: client.clientId, client_secret: client.clientSecret };
  });

  it('issues a token to a client that authenticates with HTTP Basic, answering as Keycloak does', async () => {
    const res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { authorization: basic(client.clientId, client.clientSecret) },
      body: form({ grant_type: 'client_credentials' }),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), [
      'access_token',
      'expires_in',
      'not-before-policy',
      'refresh_expires_in',
      'scope',
      'token_type',
    ]);
    assert.equal(body['token_type'], 'Bearer');
    assert.equal(body['expires_in'], 300);
    assert.equal(body['refresh_expires_in'], 0);
    assert.equal(body['scope'], 'mfa:send mfa:verify');
  });

  it('issues a token to a client that sends its credentials in the form', async () => {
    const res = await fetch(tokenUrl, {
      method: 'POST',
      body: form({ grant_type: 'client_credentials', ...creds }),
    });
    assert.equal(res.status, 200);
    assert.match(
      ((await res.json()) as { access_token: string }).access_token,
      /^ey[\w-]+\.[\w-]+\.[\w-]+$/,
    );
  });

  it('signs tokens that verify against its JWKS and carry iss, aud, azp, scope, jti and a 300 s lifetime', async () => {
    const token = await fetchToken(bridge.url, client.clientId, client.clientSecret);
    const jwks = createRemoteJWKSet(
      new URL(`${bridge.url}/realms/mfa/protocol/openid-connect/certs`),
    );
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: bridge.config.issuer.url,
      audience: 'sms-mfa',
    });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.ok(protectedHeader.kid);
    assert.equal(payload.azp, 'shop-web');
    assert.equal(payload.sub, 'shop-web');
    assert.equal(payload.typ, 'Bearer');
    assert.equal(payload.scope, 'mfa:send mfa:verify');
    assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
    assert.equal(payload.exp! - payload.iat!, 300);
  });

  it('refuses a wrong secret with 401 invalid_client and issues nothing', async () => {
    const res = await fetch(tokenUrl, {
      method: 'POST',
      body: form({
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: 'not-the-secret',
      }),
    });
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), {
      error: 'invalid_client',
      error_description: 'Invalid client or Invalid client credentials',
    });
  });

  it('refuses an unknown client exactly as it refuses a wrong secret', async () => {
    const res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { authorization: basic('nobody', 'whatever') },
      body: form({ grant_type: 'client_credentials' }),
    });
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), 'Basic realm="mfa"');
    assert.deepEqual(await res.json(), {
      error: 'invalid_client',
      error_description: 'Invalid client or Invalid client credentials',
    });
  });

  it('refuses a client that authenticates twice, by Basic and by form', async () => {
    const res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { authorization: basic(client.clientId, client.clientSecret) },
      body: form({ grant_type: 'client_credentials', ...creds }),
    });
    assert.equal(res.status, 400);
    assert.equal(((await res.json()) as { error: string }).error, 'invalid_request');
  });

  it('refuses grants other than client_credentials, and requests without a grant type', async () => {
    const other = await fetch(tokenUrl, {
      method: 'POST',
      body: form({ grant_type: 'password', ...creds }),
    });
    assert.equal(other.status, 400);
    assert.equal(((await other.json()) as { error: string }).error, 'unsupported_grant_type');
    const none = await fetch(tokenUrl, { method: 'POST', body: form({ ...creds }) });
    assert.equal(none.status, 400);
    assert.equal(((await none.json()) as { error: string }).error, 'invalid_request');
  });

  it('refuses a JSON body and a repeated parameter as invalid requests', async () => {
    const json = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', ...creds }),
    });
    assert.equal(json.status, 400);
    assert.equal(((await json.json()) as { error: string }).error, 'invalid_request');
    const twice = await fetch(tokenUrl, {
      method: 'POST',
      body: `grant_type=client_credentials&grant_type=password&client_id=${client.clientId}&client_secret=${client.clientSecret}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(twice.status, 400);
  });

  it('refuses a form in a charset it cannot read with 400 invalid_request in OAuth’s shape', async () => {
    const res = await fetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-16' },
      body: form({ grant_type: 'client_credentials', ...creds }),
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['error', 'error_description']);
    assert.equal(body['error'], 'invalid_request');
    assert.match(String(body['error_description']), /UTF-8/);
  });

  it('refuses a form in a Content-Encoding it cannot decode with 400 invalid_request in OAuth’s shape', async () => {
    const res = await fetch(tokenUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-encoding': 'compress',
      },
      body: form({ grant_type: 'client_credentials', ...creds }),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['error', 'error_description']);
    assert.equal(body['error'], 'invalid_request');
    assert.match(String(body['error_description']), /compress/);
  });

  it('narrows a token to the scope asked for, and refuses a scope the application was not granted', async () => {
    const narrowed = await fetch(tokenUrl, {
      method: 'POST',
      body: form({ grant_type: 'client_credentials', scope: 'mfa:send', ...creds }),
    });
    assert.equal(((await narrowed.json()) as { scope: string }).scope, 'mfa:send');
    const wider = await fetch(tokenUrl, {
      method: 'POST',
      body: form({ grant_type: 'client_credentials', scope: 'mfa:send mfa:admin', ...creds }),
    });
    assert.equal(wider.status, 400);
    assert.deepEqual(await wider.json(), {
      error: 'invalid_scope',
      error_description: 'Invalid scopes: mfa:admin',
    });
  });

  it('publishes a discovery document that points at its token endpoint and keys', async () => {
    const res = await fetch(`${bridge.url}/realms/mfa/.well-known/openid-configuration`);
    const doc = (await res.json()) as Record<string, unknown>;
    assert.equal(doc['issuer'], bridge.config.issuer.url);
    assert.equal(doc['issuer'], `${bridge.url.replace('127.0.0.1', 'localhost')}/realms/mfa`);
    assert.equal(doc['token_endpoint'], `${doc['issuer']}/protocol/openid-connect/token`);
    assert.equal(doc['jwks_uri'], `${doc['issuer']}/protocol/openid-connect/certs`);
    assert.deepEqual(doc['grant_types_supported'], ['client_credentials']);
    assert.deepEqual(doc['token_endpoint_auth_methods_supported'], [
      'client_secret_basic',
      'client_secret_post',
    ]);
    const jwks = (await (await fetch(String(doc['jwks_uri']))).json()) as {
      keys: { kty: string; alg: string; use: string; d?: string }[];
    };
    assert.equal(jwks.keys[0]?.kty, 'RSA');
    assert.equal(jwks.keys[0]?.alg, 'RS256');
    assert.equal(
      jwks.keys.some((k) => 'd' in k),
      false,
      'no private parts',
    );
  });

  it('knows only its own realm', async () => {
    for (const path of [
      '/realms/master/protocol/openid-connect/token',
      '/realms/master/protocol/openid-connect/certs',
      '/realms/master/.well-known/openid-configuration',
    ]) {
      const res = await fetch(`${bridge.url}${path}`, {
        method: path.endsWith('token') ? 'POST' : 'GET',
        body: path.endsWith('token') ? form({ grant_type: 'client_credentials', ...creds }) : null,
      });
      assert.equal(res.status, 404, path);
      assert.equal(((await res.json()) as { error: string }).error, 'not_found');
    }
  });

  it('serves the published CIAM token path from a form, with exactly the published fields', async () => {
    const res = await fetch(`${bridge.url}/ciam-mfa/v2/get/token`, {
      method: 'POST',
      body: form({ grant_type: 'client_credentials', ...creds }),
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'token_type']);
    assert.equal(body['token_type'], 'Bearer');
    assert.equal(decodeProtectedHeader(String(body['access_token'])).alg, 'RS256');
  });

  it('refuses a JSON body on the CIAM token path in the CIAM failure shape', async () => {
    const res = await fetch(`${bridge.url}/ciam-mfa/v2/get/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', ...creds }),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body['status'], 'FAILURE');
    assert.equal(body['code'], 'INVALID_REQUEST');
    assert.equal(body['errorCode'], 10028);
    assert.ok(body['traceId'] && body['timestamp']);
  });

  it('refuses a form in a charset it cannot read on the CIAM token path as it refuses a JSON body, in the CIAM failure shape', async () => {
    const res = await fetch(`${bridge.url}/ciam-mfa/v2/get/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-16' },
      body: form({ grant_type: 'client_credentials', ...creds }),
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body['status'], 'FAILURE');
    assert.equal(body['code'], 'INVALID_REQUEST');
    assert.equal(body['errorCode'], 10028);
    assert.match(String(body['message']), /UTF-8/);
    assert.deepEqual(body['details'], [{ field: 'body', message: body['message'] }]);
  });

  it('refuses wrong credentials on the CIAM token path with 401 UNAUTHORIZED and errorCode 10002', async () => {
    const res = await fetch(`${bridge.url}/ciam-mfa/v2/get/token`, {
      method: 'POST',
      body: form({
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: 'wrong',
      }),
    });
    assert.equal(res.status, 401);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body['code'], 'UNAUTHORIZED');
    assert.equal(body['errorCode'], 10002);
    assert.equal('access_token' in body, false);
  });
});
