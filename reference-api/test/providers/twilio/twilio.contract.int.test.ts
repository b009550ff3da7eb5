// The Twilio adapter against its fake, through the real worker and a real Redis.
import assert from 'node:assert/strict';
import { startTwilioFake } from './twilio.fake.js';
import { runProviderContract } from '../provider-contract.js';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'contract-auth-token-0123456789ab';
const FROM = '+15005550006';

runProviderContract({
  id: 'twilio',
  startFake: () => startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }),
  env: (fake) => ({
    TWILIO_BASE_URL: fake.url,
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    TWILIO_FROM: FROM,
  }),
  isSend: (request) => request.method === 'POST' && request.url.endsWith('/Messages.json'),
  assertSend(request, message) {
    assert.equal(request.url, `/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    assert.equal(
      request.headers.authorization,
      `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`,
    );
    assert.match(request.headers['content-type'] ?? '', /^application\/x-www-form-urlencoded/);
    const { ValidityPeriod, ...form } = request.body as Record<string, string>;
    assert.deepEqual(form, {
      To: message.to,
      From: FROM,
      Body: message.text,
      StatusCallback: 'http://127.0.0.1:1/webhooks/twilio',
    });
    // The code's remaining lifetime (300 s at acceptance), so Twilio drops it rather than deliver it late.
    assert.ok(
      Number(ValidityPeriod) > 280 && Number(ValidityPeriod) <= 300,
      `ValidityPeriod ${ValidityPeriod}`,
    );
  },
});
