import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import calculateSlot from 'cluster-key-slot';
import {
  auditShardOf,
  AUDIT_SHARDS,
  bareName,
  KeyLayout,
  newAuthId,
  tagOfAuthId,
  userTag,
} from '../src/otp/key-layout.js';
import { newNameOf } from '../src/otp/key-migration.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const keys = new KeyLayout('{mfa}');

describe('where the bridge keeps a user’s records', () => {
  it('hands out authIds that are still v4 UUIDs, each starting with its user’s tag', () => {
    for (const user of ['alice', 'bob', 'x'.repeat(27)]) {
      const authId = newAuthId(user);
      assert.match(authId, UUID_V4);
      assert.equal(tagOfAuthId(authId), userTag(user));
    }
    assert.notEqual(newAuthId('alice'), newAuthId('alice'));
  });

  it('puts an authentication, its user’s failures and devices on one slot, so each script stays on it', () => {
    const authId = newAuthId('alice');
    const slots = new Set(
      [
        keys.auth(authId),
        keys.userFailures('alice'),
        keys.totpDevices('alice'),
        keys.totpDevice('alice', 'd1'),
      ].map((k) => calculateSlot(k)),
    );
    assert.equal(slots.size, 1);
  });

  it('spreads users over many slots', () => {
    const slots = new Set(
      Array.from({ length: 200 }, (_, i) => calculateSlot(keys.userFailures(`user-${i}`))),
    );
    assert.ok(slots.size > 180, String(slots.size));
  });

  it('keeps an application’s pumping window and quarantines on one slot, and rate-limit counters on none in particular', () => {
    assert.equal(
      calculateSlot(keys.pumpWindow('shop', '+88234')),
      calculateSlot(keys.pumpQuarantines('shop')),
    );
    assert.doesNotMatch(keys.rateLimit('phone'), /[{}]/);
    assert.doesNotMatch(keys.totpUsers('shop'), /[{}]/);
  });

  it('spreads the audit trail over 16 streams and still names the old one', () => {
    const shards = new Set(Array.from({ length: 500 }, (_, i) => auditShardOf(userTag(`u${i}`))));
    assert.equal(shards.size, AUDIT_SHARDS);
    assert.equal(keys.legacyAudit(), '{mfa}:events');
    assert.equal(keys.auditShard(3), 'mfa:{audit:3}:events');
  });

  it('names keys after KEY_PREFIX without its braces, so deployments stay apart', () => {
    assert.equal(bareName('{mfa}'), 'mfa');
    assert.match(new KeyLayout('{mfa2}').auth(newAuthId('a')), /^mfa2:\{u:[0-9a-f]{4}\}:auth:/);
  });

  it('refuses an authId that carries no tag', () => {
    assert.throws(() => keys.auth('ZZZZ0000-0000-4000-8000-000000000000'), TypeError);
  });
});

describe('the upgrade from one hash tag', () => {
  it('moves TOTP devices, user waits and pumping state, and leaves the rest where it is', () => {
    const moved = {
      '{mfa}:totp-device:uk:d1': keys.totpDevice('uk', 'd1'),
      '{mfa}:totp-devices:uk': keys.totpDevices('uk'),
      '{mfa}:totp-users:shop': keys.totpUsers('shop'),
      '{mfa}:user-failures:uk': keys.userFailures('uk'),
      '{mfa}:pump:q:shop': keys.pumpQuarantines('shop'),
      '{mfa}:pump:w:shop:+88234': keys.pumpWindow('shop', '+88234'),
    };
    for (const [from, to] of Object.entries(moved)) {
      assert.equal(newNameOf(keys, from), to);
    }
    for (const stays of [
      '{mfa}:app:shop',
      '{mfa}:apps',
      '{mfa}:events',
      '{mfa}:auth:x',
      '{mfa}:rl:phone:p',
    ]) {
      assert.equal(newNameOf(keys, stays), undefined, stays);
    }
  });
});
