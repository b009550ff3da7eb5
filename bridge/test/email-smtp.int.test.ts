// An email code end to end: the bridge renders it and hands it with the application's DKIM key to
// the real reference API, whose smtp provider sends it to a real SMTP server in this process; the
// message is checked the way a receiving server checks it (mailauth), against a resolver that
// answers the DKIM record `npm run apps -- email-domain` prints.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { dkimVerify } from 'mailauth';
import { simpleParser } from 'mailparser';
import { startSmtpFake, type SmtpFake } from '@sms-mfa/reference-api/test/providers/smtp/smtp.fake';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { dkimRecord } from '../src/email/dkim-key.js';
import { setEmailDomain } from '../src/email/email-domain.js';
import { startDeviceAuthStack, type DeviceAuthStack } from './support/deviceauth-stack.js';

const BASE = '/ciam-mfa/v2/deviceAuthentications';

/** A resolver that knows one TXT record, as the DNS of the application's domain would once it is published. */
function resolverFor(name: string, value: string) {
  return async (domain: string, type: string) => {
    if (domain === name && type === 'TXT') {
      return [[value]];
    }
    throw Object.assign(new Error(`no ${type} record for ${domain}`), { code: 'ENOTFOUND' });
  };
}

async function nextMail(relay: SmtpFake, count: number): Promise<Buffer> {
  for (let i = 0; i < 400 && relay.messages.length < count; i++) {
    await new Promise((r) => setTimeout(r, 25));
  }
  const mail = relay.messages[count - 1];
  assert.ok(mail, `the relay received ${count} message(s)`);
  return mail.raw;
}

describe('an email code through the reference API and a real SMTP server, DKIM-signed', () => {
  const redis = useRedis();
  let relay: SmtpFake;
  let stack: DeviceAuthStack;
  let token: string;

  before(async () => {
    relay = await startSmtpFake({ security: 'none' });
    redis.defer(() => relay.close());
    stack = await startDeviceAuthStack(
      redis,
      {},
      {
        PROVIDERS: 'smtp',
        SMTP_HOST: '127.0.0.1',
        SMTP_PORT: String(relay.port),
        SMTP_SECURITY: 'none',
      },
    );
    token = await stack.client({
      clientId: 'acme',
      brand: 'Acme & Co',
      deviceTypes: ['EMAIL'],
      emailFrom: 'Acme <no-reply@acme.example>',
      emailTemplates: [
        {
          locale: 'de',
          subject: '{brand}: Code {code}',
          text: 'Ihr Code: {code} ({minutes} Minuten)',
          html: '<style>p { color: #333 }</style><p>{brand}: <b>{code}</b></p>',
        },
      ],
    });
    const { serverSecret } = stack.bridge.context;
    await setEmailDomain(stack.bridge.apps, serverSecret, 'acme', { domain: 'acme.example' });
  });

  it('delivers the code from the application’s sender, signed with its key, which verifies for its domain', async () => {
    const sent = await stack.call('POST', BASE, token, {
      userName: 'jane',
      email: 'jane@example.com',
      deviceType: 'email',
    });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    const raw = await nextMail(relay, 1);
    const mail = await simpleParser(raw);
    assert.deepEqual(mail.from?.value, [{ address: 'no-reply@acme.example', name: 'Acme' }]);
    assert.equal(mail.subject, 'Acme & Co: your verification code');
    const code = /is:\s+(\d{6})/.exec(mail.text ?? '')?.[1];
    assert.ok(code, mail.text);
    assert.match(String(mail.html), new RegExp(`>${code}<`));
    assert.match(String(mail.html), /Acme &amp; Co/, 'the brand is HTML-escaped in HTML');

    const key = (await stack.bridge.apps.get('acme'))!.emailDkim!;
    const published = dkimRecord(key);
    const verified = await dkimVerify(raw, {
      resolver: resolverFor(published.name, published.value),
    });
    assert.deepEqual(
      verified.results.map((r) => [r.signingDomain, r.selector, r.status.result]),
      [['acme.example', 's1', 'pass']],
    );

    const ok = await stack.call('POST', `${BASE}/${String(sent.body['authId'])}`, token, {
      otp: code,
    });
    assert.equal(ok.status, 200);
  });

  it('renders the application’s own template in the user’s language', async () => {
    const before = relay.messages.length;
    const sent = await stack.call('POST', BASE, token, {
      userName: 'jonas',
      email: 'jonas@example.de',
      deviceType: 'EMAIL',
      locale: 'de-AT',
    });
    assert.equal(sent.status, 201);
    const mail = await simpleParser(await nextMail(relay, before + 1));
    const code = /Code (\d{6})$/.exec(mail.subject ?? '')?.[1];
    assert.ok(code, mail.subject);
    assert.equal(mail.text?.trim(), `Ihr Code: ${code} (5 Minuten)`);
    assert.match(String(mail.html), new RegExp(`<p>Acme &amp; Co: <b>${code}</b></p>`));
  });
});
