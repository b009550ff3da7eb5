// Email codes without Redis: the templates, the DNS records and the request to the reference API.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '@sms-mfa/common/logger';
import type { EmailTemplate } from '../src/apps/application.js';
import { formatDnsRecord } from '../src/email/dkim-key.js';
import { emailTemplatesSchema, renderEmail } from '../src/email/email-templates.js';
import { CiamError } from '../src/errors.js';
import { ReferenceApiClient } from '../src/messaging/reference-api-client.js';
import { testApplication } from './support/otp-fixtures.js';

const values = { code: '482913', minutes: 5 };
const withTemplates = (emailTemplates: Partial<EmailTemplate>[]) =>
  testApplication({
    brand: 'Acme & <Co>',
    emailTemplates: emailTemplates.map((t) => ({
      name: 'default',
      locale: 'en',
      subject: '{brand} code',
      text: 'Code {code}',
      ...t,
    })),
  });

describe('email templates', () => {
  it('has a built-in email in en, pt-BR, de, es and fr, and falls back to English', () => {
    const app = testApplication({ brand: 'Acme' });
    const subject = (locale: string) => renderEmail(app, { locale }, values).subject;
    assert.equal(subject('en'), 'Acme: your verification code');
    assert.equal(subject('pt-BR'), 'Acme: seu código de verificação');
    assert.equal(subject('pt'), 'Acme: seu código de verificação');
    assert.equal(subject('de-CH'), 'Acme: Ihr Bestätigungscode');
    assert.equal(subject('es'), 'Acme: tu código de verificación');
    assert.equal(subject('fr'), 'Acme : votre code de vérification');
    assert.equal(subject('ja'), 'Acme: your verification code');
    const en = renderEmail(app, {}, values);
    assert.match(en.text, /^Your Acme verification code is: 482913\n\nIt expires in 5 minutes\./);
    assert.match(en.html ?? '', /<html lang="en">.*>482913<\/p>/s);
  });

  it('escapes the values in HTML only, and fills them in one pass', () => {
    const app = withTemplates([
      { subject: '{brand}', text: '{brand} {code}', html: '<p>{brand} {code}</p>' },
    ]);
    const email = renderEmail(app, {}, values);
    assert.equal(email.subject, 'Acme & <Co>');
    assert.equal(email.text, 'Acme & <Co> 482913');
    assert.equal(email.html, '<p>Acme &amp; &lt;Co&gt; 482913</p>');
    const sly = renderEmail(testApplication({ brand: '{code}' }), {}, values);
    assert.match(sly.subject, /^\{code\}:/, 'a brand cannot smuggle in a placeholder');
  });

  it('picks the application’s template by name and locale, and refuses a name it does not have', () => {
    const app = withTemplates([
      { locale: 'en', text: 'EN {code}' },
      { locale: 'de', text: 'DE {code}' },
      { name: 'reset', locale: 'en', text: 'RESET {code}' },
    ]);
    assert.equal(renderEmail(app, { locale: 'de-AT' }, values).text, 'DE 482913');
    assert.equal(renderEmail(app, { locale: 'fr' }, values).text, 'EN 482913');
    assert.equal(
      renderEmail(app, { templateName: 'reset', locale: 'de' }, values).text,
      'RESET 482913',
    );
    assert.equal(
      renderEmail(app, {}, values).html,
      undefined,
      'no HTML unless the template has it',
    );
    assert.throws(
      () => renderEmail(app, { templateName: 'missing' }, values),
      (err: unknown) => err instanceof CiamError && err.code === 'TEMPLATE_NOT_FOUND',
    );
  });

  it('refuses a subject on two lines, a text or HTML without {code}, unknown placeholders and repeats', () => {
    const issues = (templates: unknown) => {
      const parsed = emailTemplatesSchema.safeParse(templates);
      return parsed.success
        ? []
        : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    assert.deepEqual(
      issues([
        { locale: 'fr', subject: 'a\nb', text: 'no code', html: '<p>{cod}</p>' },
        { subject: 'ok', text: '{code}', html: '<style>p { color: red }</style>{code}' },
        { subject: 'ok', text: '{code}' },
      ]).sort(),
      [
        '0.html: must contain {code}',
        '0.html: uses the unknown placeholder {cod}; use {code}, {minutes} or {brand}',
        '0.subject: must be one line without control characters',
        '0.text: must contain {code}',
        "2: repeats another template's name and locale",
      ],
    );
  });
});

describe('DNS records', () => {
  it('splits a long TXT value into quoted strings of at most 255 characters', () => {
    const value = `v=DKIM1; k=rsa; p=${'A'.repeat(392)}`;
    const line = formatDnsRecord({
      purpose: 'DKIM',
      name: 's1._domainkey.a.example',
      type: 'TXT',
      value,
    });
    const strings = [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1]!);
    assert.deepEqual(
      strings.map((s) => s.length),
      [255, 155],
    );
    assert.equal(strings.join(''), value);
    assert.ok(line.startsWith('s1._domainkey.a.example TXT "v=DKIM1; k=rsa; p=AAAA'));
  });
});

describe('the request to the reference API for an email', () => {
  const received: { url: string; headers: IncomingMessage['headers']; body: unknown }[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body: JSON.parse(text) });
      res
        .writeHead(202, { 'content-type': 'application/json' })
        .end('{"id":"m-1","status":"queued"}');
    });
  });
  let url = '';
  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());

  it('posts the text and the email part to /v1/messages with its Idempotency-Key, exactly as the contract says', async () => {
    const client = new ReferenceApiClient(
      { url, apiKey: undefined, clientCredentials: undefined, timeoutMs: 2000 },
      createLogger('test', 'silent'),
    );
    const email = {
      from: 'Acme <no-reply@acme.example>',
      subject: 'Acme: your verification code',
      html: '<p>482913</p>',
      dkim: {
        domain: 'acme.example',
        selector: 's1',
        privateKey: '-----BEGIN PRIVATE KEY-----\n…',
      },
    };
    const sent = await client.send({
      to: 'jane@example.com',
      channel: 'email',
      text: 'Your code is 482913',
      code: '482913',
      email,
      ttlSeconds: 299.5,
      locale: 'en',
      idempotencyKey: 'auth-1.1',
      clientRef: 'auth-1',
    });
    assert.equal(sent.messageId, 'm-1');
    const [request] = received;
    assert.equal(request?.url, '/v1/messages');
    assert.equal(request?.headers['idempotency-key'], 'auth-1.1');
    assert.deepEqual(request?.body, {
      channel: 'email',
      to: 'jane@example.com',
      text: 'Your code is 482913',
      email,
      ttlSeconds: 300,
      clientRef: 'auth-1',
      locale: 'en',
    });
  });
});
