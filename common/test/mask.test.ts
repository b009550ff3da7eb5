import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskEmail, maskPhone, maskRecipient, redact } from '../src/mask.js';

describe('log redaction', () => {
  it('masks a phone number the way the design shows it', () => {
    assert.equal(maskPhone('+918212345212'), '+91*******212');
  });

  it('masks an email address to its first letter and its domain', () => {
    assert.equal(maskEmail('jane@example.com'), 'j•••@example.com');
    assert.equal(maskEmail('Acme <no-reply@acme.example>'), 'n•••@acme.example');
  });

  it('hides a one-letter local part whole, and masking twice changes nothing', () => {
    assert.equal(maskEmail('j@example.com'), '•••@example.com');
    assert.equal(maskEmail(maskEmail('jane@example.com')), 'j•••@example.com');
    assert.equal(maskEmail('not an address'), '•••');
  });

  it('masks a destination by its kind: an address as an address, a number as a number', () => {
    assert.equal(maskRecipient('jane@example.com'), 'j•••@example.com');
    assert.equal(maskRecipient('+918212345212'), '+91*******212');
  });

  it('replaces codes, texts and secrets and masks phone fields at any depth', () => {
    const out = redact({
      to: '+5511966191717',
      nested: { otp: '123456', client_secret: 's3cret' },
      text: 'Your code is 1',
    });
    assert.deepEqual(out, {
      to: '+55********717',
      nested: { otp: '[redacted]', client_secret: '[redacted]' },
      text: '[redacted]',
    });
  });

  it('masks email addresses and drops HTML bodies and private keys', () => {
    assert.deepEqual(
      redact({ to: 'jane@example.com', email: { html: '<b>1</b>', privateKey: 'PEM' } }),
      { to: 'j•••@example.com', email: { html: '[redacted]', privateKey: '[redacted]' } },
    );
    assert.deepEqual(redact({ dkim: { privateKey: 'PEM', domain: 'acme.example' } }), {
      dkim: { privateKey: '[redacted]', domain: 'acme.example' },
    });
  });
});
