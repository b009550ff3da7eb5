import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { capturingLogger } from '@sms-mfa/tests/support/capturing-logger';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { postJson, startApi } from './support/api-harness.js';

describe('bad input gets a clear error naming the field, never a 500, and nothing is queued', () => {
  const redis = useRedis();
  const log = capturingLogger('reference-api', 'warn');
  let url: string;
  before(async () => {
    const api = await startApi(redis.url, {}, { logger: log.logger });
    url = api.url;
    redis.defer(() => api.close());
  });

  const expectError = async (
    path: string,
    body: unknown,
    status: number,
    code: string,
    field?: string,
    headers?: Record<string, string>,
  ) => {
    const res = await postJson(`${url}${path}`, body, headers);
    assert.equal(res.status, status, JSON.stringify(res.body));
    assert.equal(res.body.code, code);
    assert.ok(res.body.requestId, 'the error carries the request id');
    if (field) {
      assert.ok(
        res.body.details?.some((d: { field: string }) => d.field === field),
        `details name ${field}: ${JSON.stringify(res.body.details)}`,
      );
    }
  };

  it('refuses malformed JSON', () =>
    expectError(
      '/api/sms',
      '{"mobile": "+5511966191717", "totp": ',
      400,
      'INVALID_REQUEST',
      'body',
    ));
  it('refuses a body that is not a JSON object', () =>
    expectError('/api/sms', '[1,2]', 400, 'INVALID_REQUEST'));
  it('names each missing field', async () => {
    const res = await postJson(`${url}/api/sms`, {});
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.details.map((d: { field: string }) => d.field).sort(), [
      'mobile',
      'totp',
    ]);
  });
  it('refuses an unknown field', () =>
    expectError(
      '/v1/messages',
      { to: '+5511966191717', code: '123456', prority: 'high' },
      400,
      'INVALID_REQUEST',
      'prority',
    ));
  it('refuses a wrong type', () =>
    expectError(
      '/api/sms',
      { mobile: 5511966191717, totp: '123456' },
      400,
      'INVALID_REQUEST',
      'mobile',
    ));
  it('refuses a number without a country code', () =>
    expectError(
      '/api/sms',
      { mobile: '11966191717', totp: '123456' },
      400,
      'INVALID_PHONE_NUMBER',
      'mobile',
    ));
  it('refuses a number valid for no region', () =>
    expectError(
      '/v1/messages',
      { to: '+999 12345', code: '123456' },
      400,
      'INVALID_PHONE_NUMBER',
      'to',
    ));
  it('refuses a premium-rate number that cannot take an SMS', () =>
    expectError(
      '/v1/messages',
      { to: '+44 909 879 0000', code: '123456' },
      400,
      'INVALID_PHONE_NUMBER',
      'to',
    ));
  it('refuses a code of the wrong shape', () =>
    expectError(
      '/v1/messages',
      { to: '+5511966191717', code: '12a456' },
      400,
      'INVALID_REQUEST',
      'code',
    ));
  it('refuses both a code and a text', () =>
    expectError(
      '/v1/messages',
      { to: '+5511966191717', code: '123456', text: 'hi' },
      400,
      'INVALID_REQUEST',
      'code',
    ));
  it('refuses a text over 1,600 characters', () =>
    expectError(
      '/api/sms',
      { mobile: '+5511966191717', totp: 'x'.repeat(1601) },
      400,
      'INVALID_REQUEST',
      'totp',
    ));
  it('refuses an empty text', () =>
    expectError(
      '/api/sms',
      { mobile: '+5511966191717', totp: '' },
      400,
      'INVALID_REQUEST',
      'totp',
    ));
  it('refuses control characters in a text', () =>
    expectError(
      '/api/sms',
      { mobile: '+5511966191717', totp: 'code\u0000123' },
      400,
      'INVALID_REQUEST',
      'totp',
    ));
  it('accepts unicode text such as emoji and accents', async () => {
    const res = await postJson(`${url}/api/sms`, {
      mobile: '+5511966191717',
      totp: 'Seu código é 123456 🔐',
    });
    assert.equal(res.status, 202);
  });
  it('refuses an unknown channel', () =>
    expectError(
      '/v1/messages',
      { to: '+5511966191717', code: '123456', channel: 'pigeon' },
      400,
      'INVALID_REQUEST',
      'channel',
    ));
  it('refuses a lifetime out of range', () =>
    expectError(
      '/v1/messages',
      { to: '+5511966191717', code: '123456', ttlSeconds: 99999 },
      400,
      'INVALID_REQUEST',
      'ttlSeconds',
    ));
  it('refuses a body over 16 KiB with 413', () =>
    expectError(
      '/api/sms',
      JSON.stringify({ mobile: '+5511966191717', totp: 'x'.repeat(17 * 1024) }),
      413,
      'PAYLOAD_TOO_LARGE',
    ));
  it('refuses a body that is not JSON with 415', async () => {
    const res = await fetch(`${url}/api/sms`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'mobile=+5511966191717',
    });
    assert.equal(res.status, 415);
    assert.equal(((await res.json()) as { code: string }).code, 'UNSUPPORTED_MEDIA_TYPE');
  });
  it('refuses a malformed Idempotency-Key', () =>
    expectError(
      '/v1/messages',
      { to: '+5511966191717', code: '123456' },
      400,
      'INVALID_REQUEST',
      'Idempotency-Key',
      { 'Idempotency-Key': 'has space' },
    ));
  it('refuses a path with a malformed percent-escape with 400 naming the path', async () => {
    for (const path of ['/v1/messages/%ZZ', '/v1/messages/%', '/v1/messages/%C0%AF']) {
      const res = await fetch(`${url}${path}`);
      const body = (await res.json()) as Record<string, any>;
      assert.equal(res.status, 400, `${path}: ${JSON.stringify(body)}`);
      assert.equal(body.code, 'INVALID_REQUEST');
      assert.deepEqual(
        body.details.map((d: { field: string }) => d.field),
        ['path'],
      );
      assert.ok(body.requestId, 'the error carries the request id');
    }
  });
  it('refuses a body that is not in the Content-Encoding it claims with 400', async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      await expectError(
        '/api/sms',
        { mobile: '+5511966191717', totp: '123456' },
        400,
        'INVALID_REQUEST',
        'body',
        { 'content-encoding': encoding },
      );
    }
  });
  it('refuses a Content-Encoding it cannot decode with 415 naming it', async () => {
    const res = await postJson(
      `${url}/api/sms`,
      { mobile: '+5511966191717', totp: '123456' },
      { 'content-encoding': 'compress' },
    );
    assert.equal(res.status, 415, JSON.stringify(res.body));
    assert.equal(res.body.code, 'UNSUPPORTED_MEDIA_TYPE');
    assert.match(res.body.message, /compress/);
  });
  it('answers 404 in JSON for an unknown route', async () => {
    const res = await fetch(`${url}/api/nope`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { code: string }).code, 'NOT_FOUND');
  });
  it('queued nothing for any refused request', async () => {
    const waiting = await redis.client().llen('{smsmfa}:sms-send:wait');
    const outbox = await redis.client().lrange('{smsmfa}:outbox', 0, -1);
    assert.ok(
      outbox.every((e) => JSON.parse(e).text === 'Seu código é 123456 🔐'),
      'only the accepted unicode message went out',
    );
    assert.ok(waiting <= 1);
  });
  it('takes a body that really is gzip-compressed', async () => {
    const res = await fetch(`${url}/api/sms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ mobile: '+5511966191717', totp: '654321' })),
    });
    assert.equal(res.status, 202, await res.text());
  });
  it('logged no error for any of it: the client was at fault', () => {
    assert.deepEqual(log.at('error'), []);
  });
});
