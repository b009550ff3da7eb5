// The Telegram Gateway adapter against its fake, through the real worker and Redis, on the
// telegram channel. The Gateway documents no rate-limit answer, so that case does not apply.
import assert from 'node:assert/strict';
import { runProviderContract } from '../provider-contract.js';
import { startTelegramGatewayFake, type TelegramGatewayFake } from './telegram.fake.js';

let fake: TelegramGatewayFake;

// The first fetch of a process pays Node's lazy HTTP-client set-up (~80 ms, far more on a loaded
// CI box); warm it so the contract's 300 ms provider timeout measures the adapter, not start-up.
async function warmedUp<F extends { url: string }>(started: F): Promise<F> {
  await fetch(started.url).then((res) => res.text());
  return started;
}

runProviderContract({
  id: 'telegram',
  channel: 'telegram',
  unsupported: ['rate_limited'],
  startFake: async () => (fake = await warmedUp(await startTelegramGatewayFake())),
  env: () => ({ TELEGRAM_GATEWAY_BASE_URL: fake.url, TELEGRAM_GATEWAY_TOKEN: fake.token }),
  isSend: (request) => /^\/sendVerificationMessage$/i.test(request.url),
  assertSend(request, message) {
    assert.equal(request.method, 'POST');
    assert.equal(request.headers.authorization, `Bearer ${fake.token}`);
    const body = request.body as Record<string, unknown>;
    assert.equal(body['phone_number'], message.to);
    assert.equal(body['code'], message.code);
    assert.ok(
      typeof body['ttl'] === 'number' && body['ttl'] >= 30 && body['ttl'] <= 300,
      `ttl ${String(body['ttl'])}`,
    );
    assert.match(String(body['payload']), /^[0-9a-f-]{36}$/, 'our message id rides in payload');
    assert.equal(
      body['callback_url'],
      undefined,
      'an http:// receipt URL is never handed to the Gateway',
    );
    assert.equal(
      JSON.stringify(body).includes(message.text),
      false,
      'the Gateway gets the code, not our text',
    );
  },
});
