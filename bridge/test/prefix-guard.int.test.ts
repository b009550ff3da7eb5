import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import {
  destinationPrefix,
  PrefixGuard,
  type PumpingSettings,
} from '../src/pumping/prefix-guard.js';

const SETTINGS: PumpingSettings = {
  enabled: true,
  minSends: 10,
  minConversion: 0.2,
  windowSeconds: 3600,
  quarantineSeconds: 600,
  prefixDigits: 2,
};
const T0 = Date.parse('2026-11-29T10:00:00Z');

describe('the SMS-pumping guard of a destination prefix', () => {
  const redis = useRedis();
  const guard = (settings: Partial<PumpingSettings> = {}) =>
    new PrefixGuard(redis.client(), '{mfa}', { ...SETTINGS, ...settings });

  it('names a prefix by calling code and the first national digits', () => {
    assert.equal(destinationPrefix('+882345678901', '882', 2), '+88234');
    assert.equal(destinationPrefix('+14155550100', '1', 3), '+1415');
    assert.equal(destinationPrefix('+351912345678', '351', 2), '+35191');
  });

  it('quarantines a prefix whose sends nobody validates, after the minimum number of sends', async () => {
    const g = guard();
    const verdicts = [];
    for (let i = 0; i < 15; i++) {
      verdicts.push(await g.beforeSend('shop', '+88234', T0 + i * 1000));
    }
    assert.equal(verdicts.filter((v) => v.kind === 'allowed').length, 10);
    assert.deepEqual(verdicts[10], {
      kind: 'quarantined',
      retryAfterMs: 600_000,
      trippedNow: true,
    });
    assert.equal(verdicts[11]?.kind === 'quarantined' && verdicts[11].trippedNow, false);
    assert.deepEqual(await g.list('shop', T0 + 20_000), [
      { prefix: '+88234', until: new Date(T0 + 10_000 + 600_000).toISOString() },
    ]);
  });

  it('never quarantines a prefix whose users enter their codes', async () => {
    const g = guard();
    for (let i = 0; i < 100; i++) {
      const verdict = await g.beforeSend('shop', '+35191', T0 + i * 1000);
      assert.equal(verdict.kind, 'allowed', `send ${i}`);
      if (i % 2 === 0) {
        await g.validated('shop', '+35191', T0 + i * 1000 + 500);
      }
    }
  });

  it('keeps each application and each prefix apart', async () => {
    const g = guard();
    for (let i = 0; i < 11; i++) {
      await g.beforeSend('bots-target', '+88299', T0 + i);
    }
    assert.equal((await g.beforeSend('bots-target', '+88299', T0 + 20)).kind, 'quarantined');
    assert.equal((await g.beforeSend('other-app', '+88299', T0 + 20)).kind, 'allowed');
    assert.equal((await g.beforeSend('bots-target', '+88298', T0 + 20)).kind, 'allowed');
  });

  it('lets sends through again when the quarantine ends, or at once when an admin releases it', async () => {
    const g = guard();
    for (let i = 0; i < 11; i++) {
      await g.beforeSend('shop2', '+88277', T0 + i);
    }
    assert.equal((await g.beforeSend('shop2', '+88277', T0 + 1000)).kind, 'quarantined');
    assert.equal((await g.beforeSend('shop2', '+88277', T0 + 10 + 600_001)).kind, 'allowed');

    for (let i = 0; i < 11; i++) {
      await g.beforeSend('shop3', '+88266', T0 + i);
    }
    assert.equal(await g.release('shop3', '+88266'), true);
    assert.equal(await g.release('shop3', '+88266'), false);
    assert.equal((await g.beforeSend('shop3', '+88266', T0 + 100)).kind, 'allowed');
    assert.deepEqual(await g.list('shop3', T0 + 100), []);
  });

  it('forgets sends older than the window', async () => {
    const g = guard({ windowSeconds: 60 });
    for (let i = 0; i < 9; i++) {
      await g.beforeSend('shop4', '+88255', T0 + i);
    }
    // Two minutes later the nine old sends no longer count: nine more are still under the minimum.
    for (let i = 0; i < 9; i++) {
      assert.equal((await g.beforeSend('shop4', '+88255', T0 + 120_000 + i)).kind, 'allowed');
    }
  });

  it('lets exactly the minimum through when many sends race for one prefix', async () => {
    const g = guard();
    const verdicts = await Promise.all(
      Array.from({ length: 40 }, () => g.beforeSend('race', '+88244', T0)),
    );
    assert.equal(verdicts.filter((v) => v.kind === 'allowed').length, 10);
    assert.equal(verdicts.filter((v) => v.kind === 'quarantined' && v.trippedNow).length, 1);
  });

  it('counts nothing and refuses nothing when turned off', async () => {
    const g = guard({ enabled: false });
    for (let i = 0; i < 30; i++) {
      assert.equal((await g.beforeSend('off', '+88233', T0 + i)).kind, 'allowed');
    }
    assert.deepEqual(await redis.keys('mfa:{pump:off}*'), []);
  });
});
