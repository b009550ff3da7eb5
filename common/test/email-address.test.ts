import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  domainOf,
  InvalidEmailError,
  isEmailAddress,
  normaliseEmail,
  parseMailbox,
} from '../src/email-address.js';

describe('email addresses', () => {
  it('accepts an ordinary address and lower-cases only its domain', () => {
    assert.equal(normaliseEmail('  Jane.Doe+mfa@Example.COM '), 'Jane.Doe+mfa@example.com');
    assert.equal(domainOf('jane@Example.COM'), 'example.com');
  });

  it('refuses what is not an address: no @, no domain, spaces, line breaks, two @', () => {
    for (const value of [
      'jane',
      'jane@',
      '@example.com',
      'ja ne@example.com',
      'jane@exa mple.com',
      'jane@example.com\r\nBcc: x@y.z',
      'a@b@example.com',
      'jane@-example.com',
    ]) {
      assert.equal(isEmailAddress(value), false, value);
      assert.throws(() => normaliseEmail(value), InvalidEmailError, value);
    }
  });

  it('refuses an address over 254 characters and says so', () => {
    const long = `${'a'.repeat(64)}@${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.example`;
    assert.ok(long.length > 254);
    assert.throws(() => normaliseEmail(long), /at most 254 characters/);
  });

  it('reads a mailbox with or without a display name, and never one with a line break', () => {
    assert.deepEqual(parseMailbox('no-reply@acme.example'), {
      address: 'no-reply@acme.example',
      name: undefined,
    });
    assert.deepEqual(parseMailbox('Acme <no-reply@acme.example>'), {
      address: 'no-reply@acme.example',
      name: 'Acme',
    });
    assert.deepEqual(parseMailbox('"Acme, Inc." <no-reply@acme.example>'), {
      address: 'no-reply@acme.example',
      name: 'Acme, Inc.',
    });
    assert.equal(parseMailbox('Acme\r\n <no-reply@acme.example>'), undefined);
    assert.equal(parseMailbox('Acme <not an address>'), undefined);
  });
});
