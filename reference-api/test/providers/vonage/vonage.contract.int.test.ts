// The shared adapter contract for Vonage's SMS API, against its fake. Status 1 "Throttled" is transient
// (providers.md §6: the SMS API gives no retry hint), so the 429-with-hint case is covered for the
// Messages API in vonage.whatsapp.int.test.ts instead.
import assert from 'node:assert/strict';
import { runProviderContract } from '../provider-contract.js';
import { FAKE_VONAGE_ACCOUNT, startVonageFake } from './vonage.fake.js';

function basicAuth(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return Buffer.from((value ?? '').replace(/^Basic /, ''), 'base64').toString('utf8');
}

runProviderContract({
  id: 'vonage',
  startFake: () => startVonageFake(),
  env: (fake) => ({
    VONAGE_REST_HOST: fake.url,
    VONAGE_API_HOST: fake.url,
    VONAGE_API_KEY: FAKE_VONAGE_ACCOUNT.apiKey,
    VONAGE_API_SECRET: FAKE_VONAGE_ACCOUNT.apiSecret,
    VONAGE_FROM: 'SmsMfa',
  }),
  isSend: (request) => request.method === 'POST' && request.url.startsWith('/sms/json'),
  assertSend(request, message) {
    const body = request.body as Record<string, unknown>;
    assert.equal(
      basicAuth(request.headers.authorization),
      `${FAKE_VONAGE_ACCOUNT.apiKey}:${FAKE_VONAGE_ACCOUNT.apiSecret}`,
    );
    assert.equal(body['to'], message.to.slice(1), 'E.164 without the +');
    assert.equal(body['from'], 'SmsMfa');
    assert.equal(body['text'], message.text);
    assert.equal(body['type'], 'text');
    assert.equal(body['callback'], 'http://127.0.0.1:1/webhooks/vonage');
    assert.match(String(body['client-ref']), /^[0-9a-f-]{36}$/);
    const ttl = Number(body['ttl']);
    assert.ok(
      ttl > 290_000 && ttl <= 300_000,
      `ttl ${ttl} ms follows the code's remaining lifetime`,
    );
    assert.equal(
      body['api_secret'],
      undefined,
      'the secret travels only in the Authorization header',
    );
  },
  unsupported: ['rate_limited'],
});
