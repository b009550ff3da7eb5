import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { deriveKey, openText, sealText } from '../src/aead.js';

describe('sealed values (AES-256-GCM)', () => {
  const key = deriveKey(randomBytes(32), 'test');

  it('opens what it sealed, and never seals the same text the same way twice', () => {
    const seen = new Set<string>();
    // More seals than one pool of random IVs holds, so a refill is crossed.
    for (let i = 0; i < 1000; i++) {
      const sealed = sealText(key, 'msg-1', 'Your code is 123456');
      assert.equal(openText(key, 'msg-1', sealed), 'Your code is 123456');
      const iv = sealed.split('.')[1]!;
      assert.equal(seen.has(iv), false, `IV ${iv} repeated after ${i} seals`);
      seen.add(iv);
    }
  });

  it('refuses a value that was altered, sealed for another record or under another key', () => {
    const sealed = sealText(key, 'msg-1', 'Your code is 123456');
    const [version, iv, tag, body] = sealed.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0] = flipped[0]! ^ 1;
    assert.throws(() =>
      openText(key, 'msg-1', [version, iv, tag, flipped.toString('base64url')].join('.')),
    );
    assert.throws(() => openText(key, 'msg-2', sealed));
    assert.throws(() => openText(deriveKey(randomBytes(32), 'test'), 'msg-1', sealed));
    assert.throws(() => openText(key, 'msg-1', 'not-sealed'), /not a sealed value/);
  });
});
