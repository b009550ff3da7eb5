// The Vonage adapter against its fake (no Redis): what goes on the wire, and how each answer is classified.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  ProviderError,
  type ClassifiedProviderError,
} from '../../../src/providers/provider-errors.js';
import type { OutboundMessage, SmsProvider } from '../../../src/providers/sms-provider.js';
import {
  createVonageProvider,
  type VonageOptions,
} from '../../../src/providers/vonage/vonage.provider.js';
import { FAKE_VONAGE_ACCOUNT, startVonageFake, type VonageFake } from './vonage.fake.js';

const MESSAGE: OutboundMessage = {
  messageId: '6f1c2d3e-4b5a-4c6d-8e9f-0a1b2c3d4e5f',
  to: '+5511966191717',
  text: 'Your verification code is 482913.',
  code: '482913',
  channel: 'sms',
  ttlSeconds: 300,
  locale: undefined,
  clientRef: undefined,
};

const never = () => new AbortController().signal;

async function failure(promise: Promise<unknown>): Promise<ClassifiedProviderError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(
    err instanceof ProviderError,
    `expected a classified provider error, got ${String(err)}`,
  );
  return err as ClassifiedProviderError;
}

describe('the Vonage adapter', () => {
  let fake: VonageFake;
  let options: VonageOptions;
  let provider: SmsProvider;
  const body = (i = 0) => fake.requests[i]!.body as Record<string, unknown>;

  before(async () => {
    fake = await startVonageFake();
    options = {
      ...FAKE_VONAGE_ACCOUNT,
      restHost: fake.url,
      apiHost: `${fake.url}/`,
      timeoutMs: 2000,
      from: 'SmsMfa',
      callbackUrl: 'https://sms.example.com/webhooks/vonage',
      whatsapp: { from: '+14157386102', template: 'otp_auth' },
    };
    provider = createVonageProvider(options);
  });
  after(() => fake.close());
  beforeEach(() => {
    fake.requests.length = 0;
    fake.accepted.length = 0;
  });

  describe('over SMS', () => {
    it('offers SMS only when no WhatsApp sender and template are configured', () => {
      assert.deepEqual(
        [...createVonageProvider({ ...options, whatsapp: undefined }).channels],
        ['sms'],
      );
      assert.deepEqual([...provider.channels], ['sms', 'whatsapp']);
    });

    it('records the message-id of the first part of a long text', async () => {
      const result = await provider.send({ ...MESSAGE, text: 'x'.repeat(200) }, never());
      assert.equal(fake.accepted[0]!.length, 2, 'the fake split the text in two parts');
      assert.equal(result.providerMessageId, fake.accepted[0]![0]);
    });

    it('sends a text with characters outside GSM 7-bit as unicode', async () => {
      await provider.send({ ...MESSAGE, text: 'Ваш код 482913' }, never());
      assert.equal(body()['type'], 'unicode');
    });

    it('keeps a short remaining lifetime within the 20 s Vonage accepts instead of being refused', async () => {
      await provider.send({ ...MESSAGE, ttlSeconds: 5 }, never());
      assert.equal(body()['ttl'], 20_000);
    });

    it('fails at once with status 4 when the credentials are wrong, without leaking the secret', async () => {
      const wrong = createVonageProvider({ ...options, apiSecret: 'not-the-secret-1' });
      const error = await failure(wrong.send(MESSAGE, never()));
      assert.equal(error.kind, 'permanent');
      assert.equal(error.providerCode, '4');
      assert.match(error.message, /Bad Credentials/);
      assert.doesNotMatch(error.message, /not-the-secret-1/);
    });

    it('fails at once on a non-whitelisted destination (status 29)', async () => {
      fake.failNext('permanent', { code: '29' });
      const error = await failure(provider.send(MESSAGE, never()));
      assert.equal(error.kind, 'permanent');
      assert.equal(error.providerCode, '29');
    });

    it('retries a throttled send (status 1), since the SMS API gives no hint to wait for', async () => {
      fake.failNext('rate_limited');
      const error = await failure(provider.send(MESSAGE, never()));
      assert.equal(error.kind, 'transient');
      assert.equal(error.providerCode, '1');
    });

    it('retries an HTTP 500 from the SMS API', async () => {
      fake.failNext('transient', { code: '500' });
      assert.equal((await failure(provider.send(MESSAGE, never()))).kind, 'transient');
    });

    it('gives up waiting when the worker deadline passes, before the client timeout', async () => {
      fake.failNext('timeout');
      const started = Date.now();
      const error = await failure(provider.send(MESSAGE, AbortSignal.timeout(150)));
      assert.equal(error.kind, 'transient');
      assert.equal(error.message, 'request timed out');
      assert.ok(Date.now() - started < 1000, 'did not wait for the 2 s client timeout');
    });
  });

  describe('over WhatsApp', () => {
    const whatsapp: OutboundMessage = { ...MESSAGE, channel: 'whatsapp', locale: 'pt-BR' };

    it('sends the authentication template as a custom message with the code in body and button', async () => {
      const result = await provider.send(whatsapp, never());
      const request = fake.requests[0]!;
      assert.equal(request.url, '/v1/messages');
      const auth = Buffer.from(
        String(request.headers.authorization).replace(/^Basic /, ''),
        'base64',
      ).toString();
      assert.equal(auth, `${FAKE_VONAGE_ACCOUNT.apiKey}:${FAKE_VONAGE_ACCOUNT.apiSecret}`);
      assert.deepEqual(body(), {
        channel: 'whatsapp',
        message_type: 'custom',
        to: '5511966191717',
        from: '14157386102',
        client_ref: MESSAGE.messageId,
        webhook_url: 'https://sms.example.com/webhooks/vonage',
        custom: {
          type: 'template',
          template: {
            name: 'otp_auth',
            language: { policy: 'deterministic', code: 'pt_BR' },
            components: [
              { type: 'body', parameters: [{ type: 'text', text: '482913' }] },
              {
                type: 'button',
                sub_type: 'url',
                index: '0',
                parameters: [{ type: 'text', text: '482913' }],
              },
            ],
          },
        },
      });
      assert.equal(result.providerMessageId, fake.accepted[0]![0]);
    });

    it('refuses a WhatsApp message without a bare code, since the template cannot carry a full text', async () => {
      const error = await failure(provider.send({ ...whatsapp, code: undefined }, never()));
      assert.equal(error.kind, 'permanent');
      assert.equal(fake.requests.length, 0);
    });

    it('waits for the Retry-After seconds of a 429', async () => {
      fake.failNext('rate_limited', { retryAfterSeconds: 3 });
      const error = await failure(provider.send(whatsapp, never()));
      assert.equal(error.kind, 'rate_limited');
      assert.equal(error.kind === 'rate_limited' && error.retryAfterMs, 3000);
    });

    it('fails at once on 422 invalid params and keeps the Messages error code', async () => {
      fake.failNext('permanent');
      const error = await failure(provider.send(whatsapp, never()));
      assert.equal(error.kind, 'permanent');
      assert.equal(error.providerCode, '1150');
    });

    it('fails at once on 401 when the credentials are wrong', async () => {
      const wrong = createVonageProvider({ ...options, apiSecret: 'not-the-secret-1' });
      const error = await failure(wrong.send(whatsapp, never()));
      assert.equal(error.kind, 'permanent');
      assert.equal(error.providerCode, '401');
    });

    it('retries a 500 from the Messages API', async () => {
      fake.failNext('transient');
      assert.equal((await failure(provider.send(whatsapp, never()))).kind, 'transient');
    });
  });
});
