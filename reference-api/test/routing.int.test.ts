// Routing by destination, failover and the circuit breaker, through the whole API with two provider
// fakes over HTTP (Twilio and Vonage) and a real Redis.
import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import {
  FAKE_VONAGE_ACCOUNT,
  startVonageFake,
  type VonageFake,
} from './providers/vonage/vonage.fake.js';
import { startTwilioFake, type TwilioFake } from './providers/twilio/twilio.fake.js';
import { eventually, postJson, startApi } from './support/api-harness.js';

const TWILIO = { accountSid: `AC${'c'.repeat(32)}`, authToken: 'twilio-test-token' };
const BRAZIL = '+5511966191717';
const GERMANY = '+4915123456789';

describe('routing, failover and the circuit breaker with two providers', () => {
  const redis = useRedis();
  let url: string;
  let twilio: TwilioFake;
  let vonage: VonageFake;
  before(async () => {
    twilio = await startTwilioFake(TWILIO);
    vonage = await startVonageFake();
    const api = await startApi(redis.url, {
      PROVIDERS: 'twilio,vonage',
      PROVIDER_ROUTES: '+55→vonage,twilio; *→twilio,vonage',
      PROVIDER_ATTEMPTS: '1',
      BREAKER_FAILURE_THRESHOLD: '2',
      BREAKER_COOLDOWN_SECONDS: '2',
      TWILIO_BASE_URL: twilio.url,
      TWILIO_ACCOUNT_SID: TWILIO.accountSid,
      TWILIO_AUTH_TOKEN: TWILIO.authToken,
      TWILIO_FROM: '+15005550006',
      VONAGE_REST_HOST: vonage.url,
      VONAGE_API_HOST: vonage.url,
      VONAGE_API_KEY: FAKE_VONAGE_ACCOUNT.apiKey,
      VONAGE_API_SECRET: FAKE_VONAGE_ACCOUNT.apiSecret,
      VONAGE_FROM: 'SmsMfa',
    });
    url = api.url;
    redis.defer(async () => {
      await api.close();
      await twilio.close();
      await vonage.close();
    });
  });
  beforeEach(() => {
    twilio.requests.length = 0;
    vonage.requests.length = 0;
  });

  const twilioSends = () =>
    twilio.requests.filter((r) => r.method === 'POST' && r.url.endsWith('/Messages.json')).length;
  const vonageSends = () => vonage.requests.filter((r) => r.url.startsWith('/sms/json')).length;
  const sendAndWait = async (to: string) => {
    const { body } = await postJson(`${url}/v1/messages`, { to, code: '654321' });
    return eventually(async () => {
      const record = (await (await fetch(`${url}/v1/messages/${body.id}`)).json()) as Record<
        string,
        any
      >;
      return ['sent', 'failed'].includes(record.status) ? record : undefined;
    });
  };

  it('sends Brazilian numbers through Vonage first, as the route says', async () => {
    const record = await sendAndWait(BRAZIL);
    assert.equal(record.provider, 'vonage');
    assert.equal(vonageSends(), 1);
    assert.equal(twilioSends(), 0);
  });

  it('sends every other number through the catch-all route, Twilio first', async () => {
    const record = await sendAndWait(GERMANY);
    assert.equal(record.provider, 'twilio');
    assert.equal(twilioSends(), 1);
    assert.equal(vonageSends(), 0);
  });

  it('fails over to Vonage when Twilio refuses a message for good', async () => {
    twilio.failNext('permanent');
    const record = await sendAndWait(GERMANY);
    assert.equal(record.status, 'sent');
    assert.equal(record.provider, 'vonage');
    assert.equal(
      record.history.find((h: { event: string }) => h.event === 'attempt_failed')?.provider,
      'twilio',
    );
  });

  it('opens the breaker after repeated transient failures, skips Twilio during the cool-down, then tries it again', async () => {
    twilio.failNext('transient', { times: 2 });
    assert.equal((await sendAndWait(GERMANY)).provider, 'vonage');
    assert.equal((await sendAndWait(GERMANY)).provider, 'vonage');
    assert.equal(twilioSends(), 2, 'two transient failures open the breaker');
    const skipped = await sendAndWait(GERMANY);
    assert.equal(skipped.provider, 'vonage');
    assert.equal(twilioSends(), 2, 'Twilio is not called while the breaker is open');
    assert.match(JSON.stringify(skipped.history), /circuit open/);
    await new Promise((r) => setTimeout(r, 2300));
    const recovered = await sendAndWait(GERMANY);
    assert.equal(
      recovered.provider,
      'twilio',
      'after the cool-down Twilio is tried again and succeeds',
    );
    assert.equal(twilioSends(), 3);
  });
});
