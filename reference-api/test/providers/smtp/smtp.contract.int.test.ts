// The smtp adapter against a real SMTP server in the test process, through the real worker and a
// real Redis. SMTP has no rate-limit reply with a hint (a 421 or 4xx is just "later"), so the
// 429 case does not apply.
import assert from 'node:assert/strict';
import { runProviderContract } from '../provider-contract.js';
import { startSmtpFake } from './smtp.fake.js';

runProviderContract({
  id: 'smtp',
  channel: 'email',
  to: 'jane@example.com',
  unsupported: ['rate_limited'],
  // Connect, EHLO, MAIL, RCPT and DATA each wait for a reply: 300 ms is tight on a loaded machine.
  providerTimeoutMs: 2000,
  startFake: () => startSmtpFake({ security: 'none' }),
  env: (fake) => ({
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String((fake as Awaited<ReturnType<typeof startSmtpFake>>).port),
    SMTP_SECURITY: 'none',
  }),
  isSend: (request) => request.method === 'DATA',
  assertSend(request, message) {
    const body = request.body as Record<string, string | undefined>;
    assert.deepEqual(
      { from: body['from'], to: body['to'], subject: body['subject'], text: body['text'] },
      {
        from: '"Acme" <no-reply@acme.example>',
        to: message.to,
        subject: 'Your verification code',
        text: message.text,
      },
    );
    assert.equal(request.headers['auto-submitted'], 'auto-generated');
  },
});
