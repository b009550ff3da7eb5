// An email through the whole service: POST /v1/messages → queue → worker → the smtp provider →
// a real SMTP server in this process, over STARTTLS with AUTH required; the DKIM signature is
// checked the way a receiving server checks it (mailauth), against a resolver that answers the
// domain's TXT record.
import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';
import { dkimVerify } from 'mailauth';
import { simpleParser } from 'mailparser';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { eventually, postJson, startApi } from '../../support/api-harness.js';
import { dkimTestKey } from '../../support/dkim-key.js';
import { startSmtpFake, type SmtpFake } from './smtp.fake.js';

const AUTH = { user: 'relay-user', pass: 'relay-password' };
const FROM = 'Acme <no-reply@acme.example>';

/** A resolver that knows one TXT record, as a DNS server for acme.example would. */
function resolverFor(name: string, txt: string) {
  return async (domain: string, type: string) => {
    if (domain === name && type === 'TXT') {
      return [[txt]];
    }
    throw Object.assign(new Error(`no ${type} record for ${domain}`), { code: 'ENOTFOUND' });
  };
}

describe('email through the smtp provider to a real SMTP server', () => {
  const redis = useRedis();
  let fake: SmtpFake;
  let url: string;
  before(async () => {
    fake = await startSmtpFake({ security: 'starttls', auth: AUTH });
    const api = await startApi(redis.url, {
      PROVIDERS: 'smtp',
      EMAIL_FROM: FROM,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(fake.port),
      SMTP_USER: AUTH.user,
      SMTP_PASSWORD: AUTH.pass,
      // The fake presents smtp-server's self-signed localhost certificate.
      SMTP_TLS_REJECT_UNAUTHORIZED: 'false',
    });
    url = api.url;
    redis.defer(async () => {
      await api.close();
      await fake.close();
    });
  });
  beforeEach(() => {
    fake.messages.length = 0;
    fake.requests.length = 0;
  });

  async function finalStatus(id: string): Promise<Record<string, any>> {
    return eventually(async () => {
      const record = (await (await fetch(`${url}/v1/messages/${id}`)).json()) as Record<
        string,
        any
      >;
      return ['sent', 'failed'].includes(record.status) ? record : undefined;
    });
  }

  async function send(body: Record<string, unknown>): Promise<Record<string, any>> {
    const res = await postJson(`${url}/v1/messages`, { channel: 'email', ...body });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return finalStatus(res.body.id);
  }

  it('delivers over STARTTLS after AUTH, with the sender, recipient, subject, text and HTML as sent', async () => {
    const record = await send({
      to: 'jane@example.com',
      text: 'Your Acme code is 123456. It expires in 5 minutes.',
      email: { subject: 'Your Acme code', html: '<p>Your Acme code is <b>123456</b></p>' },
    });
    assert.equal(record.status, 'sent');
    assert.equal(record.provider, 'smtp');
    assert.equal(record.providerMessageId, `<${record.id}@acme.example>`);
    const [mail] = fake.messages;
    assert.ok(mail, 'the relay received the message');
    assert.equal(mail.secure, true, 'over TLS');
    assert.equal(mail.user, AUTH.user, 'after AUTH');
    assert.deepEqual(
      { from: mail.envelopeFrom, to: mail.envelopeTo },
      { from: 'no-reply@acme.example', to: ['jane@example.com'] },
    );
    const parsed = await simpleParser(mail.raw);
    assert.equal(parsed.from?.text, '"Acme" <no-reply@acme.example>');
    assert.equal(parsed.subject, 'Your Acme code');
    assert.equal(parsed.text?.trim(), 'Your Acme code is 123456. It expires in 5 minutes.');
    assert.equal(parsed.html, '<p>Your Acme code is <b>123456</b></p>');
    assert.equal(parsed.messageId, `<${record.id}@acme.example>`);
  });

  it("signs with the message's DKIM key, and the signature verifies for the domain (and not once the body is altered)", async () => {
    const key = dkimTestKey();
    await send({
      to: 'jane@example.com',
      code: '482913',
      email: { dkim: { domain: 'acme.example', selector: 's1', privateKey: key.privateKey } },
    });
    const [mail] = fake.messages;
    assert.ok(mail);
    const resolver = resolverFor('s1._domainkey.acme.example', key.txtRecord);
    const verified = await dkimVerify(mail.raw, { resolver });
    assert.deepEqual(
      verified.results.map((r) => [r.signingDomain, r.selector, r.status.result]),
      [['acme.example', 's1', 'pass']],
    );
    const altered = Buffer.from(mail.raw.toString('utf8').replace('482913', '000000'));
    const forged = await dkimVerify(altered, { resolver });
    // mailauth reports a body that no longer matches its hash as neutral (RFC 6376 §6.1.3), never pass.
    assert.deepEqual(
      [forged.results[0]?.status.result, forged.results[0]?.status.comment],
      ['neutral', 'body hash did not verify'],
    );
  });

  it('fails a message the relay refuses with a 5xx at once, recording the reply code', async () => {
    fake.failNext('permanent');
    const record = await send({ to: 'nobody@example.com', code: '123456' });
    assert.equal(record.status, 'failed');
    assert.equal(record.errorCode, '550');
    assert.match(record.reason, /smtp: relay refused the message/);
    assert.equal(fake.requests.length, 1, 'not retried');
  });

  it('retries a message the relay defers with a 4xx, then delivers it', async () => {
    fake.failNext('transient', { times: 2 });
    const record = await send({ to: 'jane@example.com', code: '123456' });
    assert.equal(record.status, 'sent');
    assert.equal(fake.requests.length, 3);
    assert.deepEqual(
      record.history
        .filter((h: { event: string }) => h.event === 'sending')
        .map((h: { provider: string }) => h.provider),
      ['smtp', 'smtp', 'smtp'],
    );
  });
});

describe('the smtp provider and the relay certificate', () => {
  const redis = useRedis();

  it('refuses a relay whose certificate does not verify unless SMTP_TLS_REJECT_UNAUTHORIZED=false', async () => {
    const fake = await startSmtpFake({ security: 'starttls' });
    const api = await startApi(redis.url, {
      PROVIDERS: 'smtp',
      EMAIL_FROM: FROM,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(fake.port),
    });
    redis.defer(async () => {
      await api.close();
      await fake.close();
    });
    const res = await postJson(`${api.url}/v1/messages`, {
      channel: 'email',
      to: 'jane@example.com',
      code: '123456',
    });
    const record = await eventually(async () => {
      const r = (await (await fetch(`${api.url}/v1/messages/${res.body.id}`)).json()) as Record<
        string,
        any
      >;
      return r.status === 'failed' ? r : undefined;
    });
    assert.match(record.reason, /smtp: relay unreachable/);
    assert.equal(fake.messages.length, 0, 'nothing was sent over an unverified connection');
  });
});
