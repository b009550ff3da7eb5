import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidPhoneError, normalisePhone } from '../src/phone.js';

describe('phone numbers', () => {
  it('accepts the published seed number with dashes and normalises it to E.164', () => {
    assert.equal(normalisePhone('+91-8212345212').e164, '+918212345212');
  });

  it('accepts spaces, dots and brackets', () => {
    assert.equal(normalisePhone('+1 (415) 555.2671').e164, '+14155552671');
    assert.equal(normalisePhone(' +55 11 96619-1717 ').e164, '+5511966191717');
  });

  it('accepts the 00 international prefix', () => {
    assert.equal(normalisePhone('0044 7400 123456').e164, '+447400123456');
  });

  it('refuses a number without a country code', () => {
    assert.throws(() => normalisePhone('8212345212'), InvalidPhoneError);
  });

  it('refuses letters, control characters and very long input', () => {
    for (const bad of ['+91-82123abc12', '+91\u00008212345212', `+${'1'.repeat(40)}`, '', '+']) {
      assert.throws(() => normalisePhone(bad), InvalidPhoneError, bad);
    }
  });

  it('refuses a number that is valid for no region', () => {
    assert.throws(
      () => normalisePhone('+999123456789'),
      (e: InvalidPhoneError) => e.problem !== undefined,
    );
  });

  it('refuses premium-rate and toll-free numbers, which cannot take an SMS', () => {
    assert.throws(
      () => normalisePhone('+44 909 879 0000'),
      (e: InvalidPhoneError) => e.problem === 'not_mobile',
    );
    assert.throws(
      () => normalisePhone('+44 800 123 4567'),
      (e: InvalidPhoneError) => e.problem === 'not_mobile',
    );
  });
});
