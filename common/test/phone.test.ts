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

  it('answers a number asked again exactly as the first time, refusals included, without sharing one error', () => {
    const first = normalisePhone('+91-8212345212');
    const again = normalisePhone('+91-8212345212');
    assert.deepEqual(again, first);
    assert.ok(Object.isFrozen(again));
    const errors: unknown[] = [];
    for (let i = 0; i < 2; i++) {
      try {
        normalisePhone('+1 555');
      } catch (err) {
        errors.push(err);
      }
    }
    assert.equal(errors.length, 2);
    const problems = errors.map((e) => (e instanceof InvalidPhoneError ? e.problem : e));
    assert.equal(problems[0], problems[1]);
    assert.ok(problems[0] === 'invalid' || problems[0] === 'unparseable');
    assert.notEqual(errors[0], errors[1]);
  });
});
