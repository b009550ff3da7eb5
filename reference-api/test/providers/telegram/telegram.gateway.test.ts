// Sending codes through the Telegram Gateway, against the Gateway fake.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  PermanentProviderError,
  TransientProviderError,
} from '../../../src/providers/provider-errors.js';
import type { OutboundMessage, SmsProvider } from '../../../src/providers/sms-provider.js';
import {
  createGatewayProvider,
  gatewayTtlSeconds,
  type GatewayOptions,
} from '../../../src/providers/telegram/telegram.provider.js';
import { startTelegramGatewayFake, type TelegramGatewayFake } from './telegram.fake.js';

function message(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  return {
    messageId: randomUUID(),
    to: '+5511966191717',
    text: 'Your code is 482913',
    code: '482913',
    channel: 'telegram',
    ttlSeconds: 300,
    locale: undefined,
    clientRef: undefined,
    ...overrides,
  };
}

describe('the Telegram Gateway sender', () => {
  let fake: TelegramGatewayFake;
  const body = () => fake.requests.at(-1)?.body as Record<string, unknown>;
  const gateway = (overrides: Partial<GatewayOptions> = {}): SmsProvider =>
    createGatewayProvider({
      baseUrl: fake.url,
      token: fake.token,
      timeoutMs: 5000,
      callbackUrl: undefined,
      ...overrides,
    });
  const send = (provider: SmsProvider, m = message()) =>
    provider.send(m, AbortSignal.timeout(2000));

  before(async () => (fake = await startTelegramGatewayFake()));
  after(() => fake.close());
  beforeEach(() => (fake.requests.length = 0));

  it('sends the bare code to the phone number and reports the Gateway request_id', async () => {
    const m = message();
    const result = await send(gateway(), m);
    assert.match(result.providerMessageId, /^[0-9a-f]{16}$/);
    assert.deepEqual(body(), {
      phone_number: '+5511966191717',
      code: '482913',
      ttl: 300,
      payload: m.messageId,
    });
  });

  it('asks for delivery reports at the public HTTPS webhook', async () => {
    await send(gateway({ callbackUrl: 'https://sms.example.com/webhooks/telegram' }));
    assert.equal(body()['callback_url'], 'https://sms.example.com/webhooks/telegram');
  });

  it('sends without a callback when the webhook is not HTTPS or is too long for the Gateway', async () => {
    await send(gateway({ callbackUrl: 'http://sms.example.com/webhooks/telegram' }));
    assert.equal(body()['callback_url'], undefined);
    await send(gateway({ callbackUrl: `https://sms.example.com/${'x'.repeat(250)}` }));
    assert.equal(body()['callback_url'], undefined);
  });

  it('keeps the lifetime within the 30 to 3600 seconds the Gateway accepts', async () => {
    await send(gateway(), message({ ttlSeconds: 12 }));
    assert.equal(body()['ttl'], 30);
    assert.equal(gatewayTtlSeconds(7200), 3600);
    assert.equal(gatewayTtlSeconds(299.7), 299);
  });

  it('refuses a message with no bare code, explaining why, without calling the Gateway', async () => {
    const err = await send(gateway(), message({ code: undefined })).catch((e: unknown) => e);
    assert.ok(err instanceof PermanentProviderError);
    assert.match(err.message, /only verification codes/);
    assert.equal(fake.requests.length, 0);
  });

  it('refuses a code longer than the 8 digits the Gateway takes, without revealing it', async () => {
    const err = await send(gateway(), message({ code: '1234567890' })).catch((e: unknown) => e);
    assert.ok(err instanceof PermanentProviderError);
    assert.doesNotMatch(err.message, /1234567890/);
    assert.equal(fake.requests.length, 0);
  });

  it('fails for good with the Gateway error when the token is wrong', async () => {
    const err = await send(gateway({ token: 'not-the-token' })).catch((e: unknown) => e);
    assert.ok(err instanceof PermanentProviderError);
    assert.equal(err.providerCode, 'ACCESS_TOKEN_INVALID');
  });

  it('retries later when the Gateway edge answers 502 with an HTML page', async () => {
    fake.failNext('transient');
    await assert.rejects(send(gateway()), TransientProviderError);
  });

  it('retries later when the Gateway does not answer in time', async () => {
    fake.failNext('timeout');
    await assert.rejects(
      send(gateway({ timeoutMs: 300 })),
      (err: unknown) => err instanceof TransientProviderError && /timed out/.test(err.message),
    );
  });

  it('never puts the code or the token in an error message', async () => {
    fake.failNext('permanent', { code: 'PHONE_NUMBER_INVALID' });
    const err = (await send(gateway()).catch((e: unknown) => e)) as Error;
    assert.doesNotMatch(err.message, /482913/);
    assert.ok(!err.message.includes(fake.token));
  });
});
