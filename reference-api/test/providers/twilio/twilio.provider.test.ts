// The Twilio adapter's requests, sender choices and refusals, against the fake Twilio API (no Redis needed).
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { createLogger } from '@sms-mfa/common/logger';
import { loadConfig } from '../../../src/config.js';
import { PermanentProviderError } from '../../../src/providers/provider-errors.js';
import { createProvider } from '../../../src/providers/registry.js';
import { priceOf } from '../../../src/providers/twilio/twilio.provider.js';
import type { OutboundMessage, SmsProvider } from '../../../src/providers/sms-provider.js';
import { startTwilioFake, type TwilioFake } from './twilio.fake.js';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'unit-auth-token-0123456789abcdef';
const API_KEY = {
  sid: 'SK0123456789abcdef0123456789abcdef',
  secret: 'unit-api-key-secret-0123456789ab',
};
const SERVICE_SID = 'MG0123456789abcdef0123456789abcdef';
const CONTENT_SID = 'HX0123456789abcdef0123456789abcdef';

const message = (overrides: Partial<OutboundMessage> = {}): OutboundMessage => ({
  messageId: '00000000-0000-4000-8000-000000000001',
  to: '+5511966191717',
  text: 'Your code is 482913',
  code: '482913',
  channel: 'sms',
  ttlSeconds: 300,
  locale: undefined,
  clientRef: undefined,
  ...overrides,
});

describe('the Twilio adapter', () => {
  let fake: TwilioFake;
  const redis = new Redis({ lazyConnect: true }); // the adapter never touches Redis; the context needs one
  before(async () => {
    fake = await startTwilioFake({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      apiKey: API_KEY,
    });
  });
  after(async () => {
    redis.disconnect();
    await fake.close();
  });
  beforeEach(() => {
    fake.requests.length = 0;
  });

  function provider(
    env: Record<string, string>,
    publicUrl: string | null = 'https://sms.example.com',
  ): SmsProvider {
    const config = loadConfig({
      PROVIDERS: 'twilio',
      TWILIO_BASE_URL: fake.url,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      ...env,
    });
    const webhookUrl = (id: string) => (publicUrl ? `${publicUrl}/webhooks/${id}` : undefined);
    return createProvider('twilio', {
      config,
      redis,
      logger: createLogger('test', 'silent'),
      webhookUrl,
    });
  }
  const form = () => fake.requests.at(-1)?.body as Record<string, string>;

  it("returns Twilio's message sid as the provider message id", async () => {
    const { providerMessageId } = await provider({
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM: '+15005550006',
    }).send(message(), AbortSignal.timeout(2000));
    assert.match(providerMessageId, /^SM[0-9a-f]{32}$/);
    assert.equal(providerMessageId, fake.messages.at(-1)?.sid);
  });

  it('authenticates with the API key when one is configured, still under the account path', async () => {
    const env = {
      TWILIO_API_KEY_SID: API_KEY.sid,
      TWILIO_API_KEY_SECRET: API_KEY.secret,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM: '+15005550006',
    };
    await provider(env).send(message(), AbortSignal.timeout(2000));
    const request = fake.requests.at(-1)!;
    assert.equal(
      request.headers.authorization,
      `Basic ${Buffer.from(`${API_KEY.sid}:${API_KEY.secret}`).toString('base64')}`,
    );
    assert.equal(request.url, `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
  });

  it('fails permanently with code 20003 when Twilio refuses the credentials', async () => {
    const send = provider({
      TWILIO_AUTH_TOKEN: 'wrong-token-0123456789abcdef0123',
      TWILIO_FROM: '+15005550006',
    }).send(message(), AbortSignal.timeout(2000));
    await assert.rejects(
      send,
      (err: unknown) => err instanceof PermanentProviderError && err.providerCode === '20003',
    );
  });

  it('sends from the Messaging Service when no From number is configured', async () => {
    await provider({
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_MESSAGING_SERVICE_SID: SERVICE_SID,
    }).send(message(), AbortSignal.timeout(2000));
    assert.equal(form()['MessagingServiceSid'], SERVICE_SID);
    assert.equal(form()['From'], undefined);
  });

  it("keeps ValidityPeriod inside Twilio's 1 to 36000 seconds", async () => {
    const twilio = provider({ TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: '+15005550006' });
    await twilio.send(message({ ttlSeconds: 90_000 }), AbortSignal.timeout(2000));
    assert.equal(form()['ValidityPeriod'], '36000');
    await twilio.send(message({ ttlSeconds: 0 }), AbortSignal.timeout(2000));
    assert.equal(form()['ValidityPeriod'], '1');
  });

  it('asks for delivery receipts at the public webhook URL, and not when there is none', async () => {
    await provider({ TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: '+15005550006' }).send(
      message(),
      AbortSignal.timeout(2000),
    );
    assert.equal(form()['StatusCallback'], 'https://sms.example.com/webhooks/twilio');
    await provider({ TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: '+15005550006' }, null).send(
      message(),
      AbortSignal.timeout(2000),
    );
    assert.equal(form()['StatusCallback'], undefined);
  });

  it('asks for no receipts it could not verify, when only an API key is configured', async () => {
    await provider({
      TWILIO_API_KEY_SID: API_KEY.sid,
      TWILIO_API_KEY_SECRET: API_KEY.secret,
      TWILIO_FROM: '+15005550006',
    }).send(message(), AbortSignal.timeout(2000));
    assert.equal(form()['StatusCallback'], undefined);
  });

  it('offers WhatsApp only when its sender and authentication template are configured', () => {
    assert.deepEqual(
      [...provider({ TWILIO_AUTH_TOKEN: AUTH_TOKEN, TWILIO_FROM: '+15005550006' }).channels],
      ['sms'],
    );
    const env = {
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM: '+15005550006',
      TWILIO_WHATSAPP_FROM: '+14155238886',
      TWILIO_WHATSAPP_CONTENT_SID: CONTENT_SID,
    };
    assert.deepEqual([...provider(env).channels].sort(), ['sms', 'whatsapp']);
  });

  it('sends a WhatsApp code as the authentication template with the code as its one variable and no Body', async () => {
    const env = {
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM: '+15005550006',
      TWILIO_WHATSAPP_FROM: '+14155238886',
      TWILIO_WHATSAPP_CONTENT_SID: CONTENT_SID,
    };
    await provider(env).send(message({ channel: 'whatsapp' }), AbortSignal.timeout(2000));
    const { ValidityPeriod, StatusCallback, ...fields } = form();
    assert.deepEqual(fields, {
      To: 'whatsapp:+5511966191717',
      From: 'whatsapp:+14155238886',
      ContentSid: CONTENT_SID,
      ContentVariables: '{"1":"482913"}',
    });
    assert.ok(ValidityPeriod && StatusCallback);
  });

  it('refuses for good a WhatsApp message that has no bare code to fill the template', async () => {
    const env = {
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM: '+15005550006',
      TWILIO_WHATSAPP_FROM: 'whatsapp:+14155238886',
      TWILIO_WHATSAPP_CONTENT_SID: CONTENT_SID,
    };
    await assert.rejects(
      provider(env).send(
        message({ channel: 'whatsapp', code: undefined }),
        AbortSignal.timeout(2000),
      ),
      PermanentProviderError,
    );
    assert.equal(fake.requests.length, 0, 'nothing was sent');
  });
});

describe('the fake Twilio API', () => {
  let fake: TwilioFake;
  before(async () => {
    fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
  });
  after(() => fake.close());

  const post = (fields: Record<string, string>, password = AUTH_TOKEN) =>
    fetch(`${fake.url}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:${password}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams(fields).toString(),
    });

  it("answers wrong credentials with Twilio's 401 error 20003", async () => {
    const res = await post({ To: '+5511966191717', From: '+15005550006', Body: 'hi' }, 'wrong');
    assert.equal(res.status, 401);
    assert.deepEqual(await res.json(), {
      code: 20003,
      message: 'Authenticate',
      more_info: 'https://www.twilio.com/docs/errors/20003',
      status: 401,
    });
  });

  it('answers a missing To, sender or Body with the 400 error Twilio gives for each', async () => {
    const cases: [Record<string, string>, number][] = [
      [{ From: '+15005550006', Body: 'hi' }, 21604],
      [{ To: '+5511966191717', Body: 'hi' }, 21603],
      [{ To: '+5511966191717', From: '+15005550006' }, 21602],
      [{ To: '5511966191717', From: '+15005550006', Body: 'hi' }, 21211],
      [{ To: '+5511966191717', From: '+15005550006', Body: 'hi', ValidityPeriod: '36001' }, 21624],
    ];
    for (const [fields, code] of cases) {
      const res = await post(fields);
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { code: number }).code, code);
    }
  });

  it("answers a good request with Twilio's 201 message resource", async () => {
    const res = await post({ To: '+5511966191717', From: '+15005550006', Body: 'hi' });
    assert.equal(res.status, 201);
    const body = (await res.json()) as Record<string, unknown>;
    assert.match(String(body['sid']), /^SM[0-9a-f]{32}$/);
    assert.equal(body['status'], 'queued');
    assert.equal(body['account_sid'], ACCOUNT_SID);
    assert.match(
      String(body['date_created']),
      /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/,
    );
  });
});

describe('the price in a Twilio answer', () => {
  it('is none while Twilio has not priced the message (price and price_unit null, as at creation)', () => {
    assert.equal(priceOf({ sid: 'SM1', price: null, price_unit: null }), undefined);
  });

  it('is the charged amount, positive, in price_unit once Twilio states it', () => {
    assert.deepEqual(priceOf({ sid: 'SM1', price: '-0.00790', price_unit: 'USD' }), {
      amount: 0.0079,
      currency: 'USD',
    });
  });
});
