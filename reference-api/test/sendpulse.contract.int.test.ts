// The SendPulse adapter against its fake, through the real worker and Redis.
import assert from 'node:assert/strict';
import { runProviderContract } from './provider-contract.js';
import { startSendPulseFake, type SendPulseFake } from './fakes/sendpulse.fake.js';

let fake: SendPulseFake;

runProviderContract({
  id: 'sendpulse',
  startFake: async () => (fake = await startSendPulseFake({ sender: 'Acme' })),
  env: () => ({
    SENDPULSE_BASE_URL: fake.url,
    SENDPULSE_CLIENT_ID: fake.clientId,
    SENDPULSE_CLIENT_SECRET: fake.clientSecret,
    SENDPULSE_SENDER: fake.sender,
  }),
  isSend: (request) => request.url === '/sms/send',
  assertSend(request, message) {
    assert.equal(request.method, 'POST');
    assert.match(request.headers['content-type'] ?? '', /^application\/json/);
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    assert.ok(token && fake.issuedTokens.includes(token), 'sent with a token the fake issued');
    assert.deepEqual(request.body, {
      sender: 'Acme',
      phones: [message.to.slice(1)],
      body: message.text,
    });
  },
});
