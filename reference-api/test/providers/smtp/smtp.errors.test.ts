// How SMTP failures (as nodemailer reports them) become our three classes.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { classifySmtpFailure } from '../../../src/providers/smtp/smtp.errors.js';
import { smtpMail } from '../../../src/providers/smtp/smtp.provider.js';
import { TransientProviderError } from '../../../src/providers/provider-errors.js';
import type { OutboundMessage } from '../../../src/providers/sms-provider.js';

const reply = (responseCode: number, response: string) =>
  Object.assign(new Error(`Message failed: ${response}`), {
    code: 'EMESSAGE',
    responseCode,
    response,
  });

describe('smtp failure classification', () => {
  it('fails a 5xx reply for good and retries a 4xx one, keeping the reply code', () => {
    const refused = classifySmtpFailure(reply(550, '550 5.1.1 <jane@example.com>: no such user'));
    assert.deepEqual([refused.kind, refused.providerCode], ['permanent', '550']);
    const deferred = classifySmtpFailure(reply(451, '451 4.3.0 Try again later'));
    assert.deepEqual([deferred.kind, deferred.providerCode], ['transient', '451']);
  });

  it('retries a 503 (bad sequence of commands): a new session may succeed', () => {
    assert.equal(
      classifySmtpFailure(reply(503, '503 5.5.1 Error: need MAIL command')).kind,
      'transient',
    );
  });

  it('never records the address a relay echoes back', () => {
    const error = classifySmtpFailure(reply(550, '550 5.1.1 <jane@example.com>: no such user'));
    assert.doesNotMatch(error.message, /jane@example\.com/);
    assert.match(error.message, /\[address\]/);
  });

  it('retries a connection that failed, timed out or dropped', () => {
    for (const code of ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS']) {
      const error = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code });
      assert.equal(classifySmtpFailure(error).kind, 'transient', code);
    }
  });

  it('fails for good what nodemailer refuses before sending (missing credentials, bad envelope)', () => {
    for (const code of ['EAUTH', 'EENVELOPE']) {
      assert.equal(classifySmtpFailure(Object.assign(new Error('no'), { code })).kind, 'permanent');
    }
  });

  it('reports an abort by its reason: the provider timeout', () => {
    const timeout = new TransientProviderError('smtp', 'request timed out');
    const aborted = Object.assign(new Error('Message sending aborted'), {
      code: 'EABORT',
      cause: timeout,
    });
    assert.equal(classifySmtpFailure(aborted), timeout);
  });
});

describe('the mail the smtp provider hands nodemailer', () => {
  const message: OutboundMessage = {
    messageId: '0b7f3a52-6a4d-4d8f-9a55-3c1e6d1f2a10',
    to: 'jane@example.com',
    text: 'Your code is 123456.',
    code: '123456',
    channel: 'email',
    ttlSeconds: 300,
    locale: undefined,
    clientRef: undefined,
    email: { from: 'Acme <no-reply@Acme.Example>', subject: 'Your code' },
  };

  it("carries our message id in its Message-ID, on the sender's domain", () => {
    const mail = smtpMail(message, new AbortController().signal);
    assert.equal(mail.messageId, '<0b7f3a52-6a4d-4d8f-9a55-3c1e6d1f2a10@acme.example>');
  });

  it('refuses an Ed25519 DKIM key for good: nodemailer signs with RSA only', () => {
    const { privateKey } = generateKeyPairSync('ed25519', {
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const signed = {
      ...message,
      email: { ...message.email!, dkim: { domain: 'acme.example', selector: 's1', privateKey } },
    };
    assert.throws(
      () => smtpMail(signed, new AbortController().signal),
      (err: Error & { kind?: string }) =>
        err.kind === 'permanent' && /RSA keys only/.test(err.message),
    );
  });
});
