// The SendGrid adapter against its fake, through the real worker and a real Redis.
import assert from 'node:assert/strict';
import { runProviderContract } from '../provider-contract.js';
import { startSendGridFake } from './sendgrid.fake.js';

const API_KEY = 'SG.contract-key.0123456789abcdef';

runProviderContract({
  id: 'sendgrid',
  channel: 'email',
  to: 'jane@example.com',
  startFake: () => startSendGridFake({ apiKey: API_KEY }),
  env: (fake) => ({ SENDGRID_BASE_URL: fake.url, SENDGRID_API_KEY: API_KEY }),
  isSend: (request) => request.method === 'POST' && request.url === '/v3/mail/send',
  assertSend(request, message) {
    assert.equal(request.headers.authorization, `Bearer ${API_KEY}`);
    assert.match(request.headers['content-type'] ?? '', /^application\/json/);
    const body = request.body as { personalizations: { custom_args: { messageId: string } }[] };
    const messageId = body.personalizations[0]?.custom_args.messageId;
    assert.match(messageId ?? '', /^[0-9a-f-]{36}$/, 'our message id rides in custom_args');
    assert.deepEqual(body, {
      personalizations: [{ to: [{ email: message.to }], custom_args: { messageId } }],
      from: { email: 'no-reply@acme.example', name: 'Acme' },
      subject: 'Your verification code',
      content: [{ type: 'text/plain', value: message.text }],
    });
  },
});
