// The SendPulse adapter against its fake, through the real worker and Redis.
import assert from 'node:assert/strict';
import { runProviderContract } from '../provider-contract.js';
import { startSendPulseFake, type SendPulseFake } from './sendpulse.fake.js';

let fake: SendPulseFake;

// The first fetch of a process pays Node's lazy HTTP-client set-up (~80 ms, far more on a loaded
// CI box); warm it so the contract's 300 ms provider timeout measures the adapter, not start-up.
async function warmedUp<F extends { url: string }>(started: F): Promise<F> {
  await fetch(started.url).then((res) => res.text());
  return started;
}

runProviderContract({
  id: 'sendpulse',
  startFake: async () => (fake = await warmedUp(await startSendPulseFake({ sender: 'Acme' }))),
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
