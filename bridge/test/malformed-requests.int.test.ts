// Requests Express or body-parser cannot read (a path that does not percent-decode, a body that is
// not in its Content-Encoding): the client's fault, so a 400 (or 415) in the caller's shape.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { capturingLogger } from '@sms-mfa/tests/support/capturing-logger';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { ADMIN, fetchToken, startTestBridge, type TestBridge } from './support/bridge-harness.js';
import { assertFailure, detailFields, type CallResult } from './support/ciam-response.js';

const BASE = '/ciam-mfa/v2/deviceAuthentications';
const APPS = '/admin/v1/applications';
const SEND = { userName: 'jdoe', phoneNumber: '+14155550100', deviceType: 'SMS' };

describe('a request the bridge cannot read gets 400 in the caller’s shape, never a 500, and logs no error', () => {
  const redis = useRedis();
  const log = capturingLogger('bridge', 'warn');
  let bridge: TestBridge;
  let admin: string;
  let token: string;
  before(async () => {
    bridge = await startTestBridge(
      redis.url,
      { BRIDGE_DEMO_CLIENT_ID: 'demo-app', BRIDGE_DEMO_CLIENT_SECRET: 'demo-secret-0123456789' },
      { logger: log.logger, pages: true },
    );
    redis.defer(() => bridge.close());
    admin = await fetchToken(bridge.url, ADMIN.clientId, ADMIN.clientSecret);
    await bridge.apps.create(
      { clientId: 'shop', name: 'Shop', scopes: ['mfa:send', 'mfa:verify'] },
      'shop-secret-0123456789',
    );
    token = await fetchToken(bridge.url, 'shop', 'shop-secret-0123456789');
  });

  const send = async (
    method: string,
    path: string,
    init: { token?: string; body?: string | Buffer; headers?: Record<string, string> } = {},
  ): Promise<CallResult & { text: string }> => {
    const res = await fetch(`${bridge.url}${path}`, {
      method,
      headers: {
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...init.headers,
      },
      body: init.body,
    });
    const text = await res.text();
    const json = res.headers.get('content-type')?.includes('json');
    return { status: res.status, headers: res.headers, body: json ? JSON.parse(text) : {}, text };
  };

  it('refuses a CIAM API path with a malformed percent-escape with 400 naming the path', async () => {
    for (const [method, path] of [
      ['GET', `${BASE}/%C0%AF`],
      ['POST', `${BASE}/%C0%AF`],
      ['DELETE', `${BASE}/%C0%AF`],
      ['POST', `${BASE}/%ZZ/resend`],
    ] as const) {
      const body = method === 'GET' ? undefined : JSON.stringify({ otp: '123456' });
      const res = await send(method, path, { token, body });
      assert.deepEqual(detailFields(assertFailure(res, 400, 'INVALID_REQUEST')), ['path']);
    }
  });

  it('refuses an admin API path with a malformed percent-escape with 400 naming the path', async () => {
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const res = await send(method, `${APPS}/%`, {
        token: admin,
        body: method === 'GET' ? undefined : '{}',
      });
      assert.deepEqual(detailFields(assertFailure(res, 400, 'INVALID_REQUEST')), ['path']);
    }
  });

  it('shows a code-entry link with a malformed percent-escape a 400 page in the user’s language, under the pages’ CSP', async () => {
    for (const [method, path] of [
      ['GET', '/verify/%ZZ'],
      ['POST', '/verify/%C0%AF'],
      ['POST', '/verify/%/resend'],
    ] as const) {
      const res = await send(method, path, { headers: { 'accept-language': 'de' } });
      assert.equal(res.status, 400, `${method} ${path}: ${res.text}`);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      assert.match(res.text, /<html lang="de">/);
      assert.match(res.text, /Link ungültig/);
      assert.match(res.text, /Adresse ist fehlerhaft/);
      assert.doesNotMatch(res.text, /nicht verfügbar|URIError|decode/);
      assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
      assert.equal(res.headers.get('cache-control'), 'no-store');
    }
  });

  it('answers a page asset path with a malformed percent-escape with 400, and a missing asset with 404', async () => {
    const malformed = await send('GET', '/pages/static/%ZZ.css');
    assert.deepEqual(detailFields(assertFailure(malformed, 400, 'INVALID_REQUEST')), ['path']);
    for (const path of ['/pages/static/nope.css', '/pages/static/..%2f..%2fpackage.json']) {
      assertFailure(await send('GET', path), 404, 'NOT_FOUND');
    }
    assert.equal((await send('GET', '/pages/static/pages.css')).status, 200);
  });

  it('refuses a JSON body that is not in the Content-Encoding it claims with 400 naming the body', async () => {
    for (const [path, auth] of [
      [BASE, token],
      [APPS, admin],
    ] as const) {
      for (const encoding of ['gzip', 'deflate', 'br']) {
        const res = await send('POST', path, {
          token: auth,
          body: JSON.stringify(SEND),
          headers: { 'content-encoding': encoding },
        });
        assert.deepEqual(detailFields(assertFailure(res, 400, 'INVALID_REQUEST')), ['body']);
        assert.match(String(res.body['message']), new RegExp(encoding));
      }
    }
  });

  it('refuses a CIAM token request whose form is not in its Content-Encoding with 400 in the CIAM shape', async () => {
    const res = await send('POST', '/ciam-mfa/v2/get/token', {
      body: 'grant_type=client_credentials&client_id=shop&client_secret=shop-secret-0123456789',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-encoding': 'gzip' },
    });
    assertFailure(res, 400, 'INVALID_REQUEST');
  });

  it('refuses a Keycloak-path token request whose form is not in its Content-Encoding in OAuth’s shape', async () => {
    const res = await send('POST', '/realms/mfa/protocol/openid-connect/token', {
      body: 'grant_type=client_credentials&client_id=shop&client_secret=shop-secret-0123456789',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'content-encoding': 'gzip',
      },
    });
    assert.equal(res.status, 400, res.text);
    assert.equal(res.body['error'], 'invalid_request');
    assert.match(String(res.body['error_description']), /gzip/);
  });

  it('refuses a Keycloak-path token form too large (413) or with too many fields (400) as invalid_request in OAuth’s shape', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    for (const [body, status, description] of [
      [`grant_type=client_credentials&pad=${'a'.repeat(5000)}`, 413, 'The request is too large'],
      [
        Array.from({ length: 25 }, (_, i) => `f${i}=1`).join('&'),
        400,
        'The request body cannot be read',
      ],
    ] as const) {
      const res = await send('POST', '/realms/mfa/protocol/openid-connect/token', {
        body,
        headers: form,
      });
      assert.equal(res.status, status, res.text);
      assert.deepEqual(res.body, { error: 'invalid_request', error_description: description });
      assert.equal(res.headers.get('cache-control'), 'no-store');
    }
  });

  it('refuses a CIAM token form with too many fields (400 naming the body) or too large (413) in the CIAM shape', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const many = await send('POST', '/ciam-mfa/v2/get/token', {
      body: Array.from({ length: 25 }, (_, i) => `f${i}=1`).join('&'),
      headers: form,
    });
    assert.deepEqual(detailFields(assertFailure(many, 400, 'INVALID_REQUEST')), ['body']);
    const large = await send('POST', '/ciam-mfa/v2/get/token', {
      body: `grant_type=client_credentials&pad=${'a'.repeat(5000)}`,
      headers: form,
    });
    assertFailure(large, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('shows a page form with too many fields a 400 page, and one too large a 413 page, in the user’s language', async () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'de' };
    const many = Array.from({ length: 15 }, (_, i) => `f${i}=1`).join('&');
    const large = `otp=123456&pad=${'a'.repeat(5000)}`;
    for (const path of ['/verify/00000000-0000-4000-8000-000000000000', '/demo/login']) {
      for (const [body, status] of [
        [many, 400],
        [large, 413],
      ] as const) {
        const res = await send('POST', path, { body, headers: form });
        assert.equal(res.status, status, `${path}: ${res.text}`);
        assert.match(res.headers.get('content-type') ?? '', /text\/html/);
        assert.match(res.text, /<html lang="de">/);
        assert.doesNotMatch(res.text, /nicht verfügbar/);
      }
    }
  });

  it('refuses a Content-Encoding it cannot decode with 415 naming it', async () => {
    const res = await send('POST', BASE, {
      token,
      body: JSON.stringify(SEND),
      headers: { 'content-encoding': 'compress' },
    });
    assert.deepEqual(detailFields(assertFailure(res, 415, 'UNSUPPORTED_MEDIA_TYPE')), [
      'Content-Encoding',
    ]);
    assert.match(String(res.body['message']), /compress/);
  });

  it('takes a JSON body that really is gzip-compressed', async () => {
    const res = await send('POST', APPS, {
      token: admin,
      body: gzipSync(JSON.stringify({ name: 'Gzip Shop' })),
      headers: { 'content-encoding': 'gzip' },
    });
    assert.equal(res.status, 201, res.text);
  });

  it('logged no error for any of it: the client was at fault', () => {
    assert.deepEqual(log.at('error'), []);
  });
});
