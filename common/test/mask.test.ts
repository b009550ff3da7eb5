import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskPhone, redact } from '../src/mask.js';

describe('log redaction', () => {
  it('masks a phone number the way the design shows it', () => {
    assert.equal(maskPhone('+918212345212'), '+91*******212');
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
});
