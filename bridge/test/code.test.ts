import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { CodeSealer, generateCode, hashCode, hashesEqual, hasCodeShape } from '../src/otp/code.js';

const AUTH_A = '3f2b8c1e-1d2a-4b5c-9e8f-0a1b2c3d4e5f';
const AUTH_B = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';

describe('codes', () => {
  it('has exactly the asked number of digits, for every length from 4 to 10', () => {
    for (let length = 4; length <= 10; length++) {
      for (let i = 0; i < 200; i++) {
        assert.match(generateCode(length), new RegExp(`^\\d{${length}}$`));
      }
    }
  });

  it('keeps leading zeros, and every first digit comes up about as often', () => {
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 20_000; i++) {
      counts[Number(generateCode(6)[0])]! += 1;
    }
    // 2 000 expected per digit; a biased generator (e.g. no zero-padding) misses this by far
    for (const count of counts) {
      assert.ok(count > 1700 && count < 2300, `first-digit counts ${counts.join(',')}`);
    }
  });

  it('refuses lengths outside 4-10 as a programming error', () => {
    assert.throws(() => generateCode(3), TypeError);
    assert.throws(() => generateCode(11), TypeError);
    assert.throws(() => generateCode(6.5), TypeError);
  });

  it('recognises only digits of the exact length as a code', () => {
    assert.equal(hasCodeShape('012345', 6), true);
    for (const bad of ['12345', '1234567', '12345a', ' 12345', '١٢٣٤٥٦', '12 345', '']) {
      assert.equal(hasCodeShape(bad, 6), false, bad);
    }
  });
});

describe('code hashes', () => {
  const secret = randomBytes(32);

  it('match for the same authentication and code, and differ for another authId, code or secret', () => {
    const h = hashCode(secret, AUTH_A, '123456');
    assert.ok(hashesEqual(h, hashCode(secret, AUTH_A, '123456')));
    assert.ok(!hashesEqual(h, hashCode(secret, AUTH_B, '123456')));
    assert.ok(!hashesEqual(h, hashCode(secret, AUTH_A, '123457')));
    assert.ok(!hashesEqual(h, hashCode(randomBytes(32), AUTH_A, '123456')));
  });

  it('never match a value of another length instead of throwing', () => {
    assert.equal(hashesEqual(hashCode(secret, AUTH_A, '1234'), Buffer.alloc(16)), false);
  });
});

describe('sealed codes', () => {
  const sealer = new CodeSealer(randomBytes(32));

  it('open to what was sealed, and never show it in the sealed form', () => {
    const sealed = sealer.seal(AUTH_A, '{"code":"123456","phone":"+14155550100"}');
    assert.ok(!sealed.includes('123456'));
    assert.equal(sealer.open(AUTH_A, sealed), '{"code":"123456","phone":"+14155550100"}');
  });

  it('differ each time the same value is sealed', () => {
    assert.notEqual(sealer.seal(AUTH_A, 'x'), sealer.seal(AUTH_A, 'x'));
  });

  it('will not open under another authId, another secret, or once altered', () => {
    const sealed = sealer.seal(AUTH_A, '123456');
    assert.throws(() => sealer.open(AUTH_B, sealed));
    assert.throws(() => new CodeSealer(randomBytes(32)).open(AUTH_A, sealed));
    const bytes = Buffer.from(sealed, 'base64url');
    bytes[bytes.length - 1]! ^= 1;
    assert.throws(() => sealer.open(AUTH_A, bytes.toString('base64url')));
  });
});
