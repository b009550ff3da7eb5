// The sign-in floor is only a floor if it does the Redis work our sign-in does: this compares the
// commands Redis ran (INFO commandstats: scripts' own calls included) for the same sign-ins.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { startLocalRedis, type LocalRedis } from '@sms-mfa/common/redis-server';
import { floorValidations, readCodes, startBridgeStack, startSigninFloor } from './bridge-bench.js';

const SIGN_INS = 20;
// Read by the bench's own polling of the dev outbox, or by BullMQ's timers (their count depends
// on how long the run took, not on the sign-ins): not part of a sign-in's work.
const NOT_A_SIGN_IN = new Set(['lrange', 'bzpopmin', 'info', 'config|resetstat', 'client|setname', 'client|setinfo', 'ping', 'hello', 'script|load']);

/** Calls per command since the last reset, scripts' own calls included. */
async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const line of (await redis.info('commandstats')).split('\n')) {
    const match = /^cmdstat_([^:]+):calls=(\d+)/.exec(line.trim());
    if (match) {
      calls.set(match[1]!, Number(match[2]));
    }
  }
  return calls;
}

/** Waits until Redis has run no command for `quietMs` (the workers are done with the jobs). */
async function untilQuiet(redis: Redis, quietMs = 700): Promise<void> {
  let last = -1;
  for (let i = 0; i < 100; i++) {
    const total = [...(await commandCalls(redis)).entries()].filter(([c]) => !NOT_A_SIGN_IN.has(c)).reduce((a, [, n]) => a + n, 0);
    if (total === last) {
      return;
    }
    last = total;
    await new Promise((r) => setTimeout(r, quietMs));
  }
}

const perSignIn = (calls: Map<string, number>) =>
  new Map([...calls].filter(([c]) => !NOT_A_SIGN_IN.has(c)).map(([c, n]) => [c, n / SIGN_INS]));

describe('the sign-in floor of the benchmark', () => {
  let local: LocalRedis;
  let redis: Redis;
  before(async () => {
    local = await startLocalRedis();
    redis = new Redis(local.url);
  });
  after(async () => {
    redis.disconnect();
    await local.stop();
  });

  it('makes the Redis commands our request-code, send and validate-code make, per sign-in', { timeout: 120_000 }, async () => {
    const ours = await startBridgeStack(local.url);
    let oursCalls: Map<string, number>;
    try {
      await readCodes(ours.base, ours.token, ours.refPort, 2); // first use: scripts loaded, caches filled
      await untilQuiet(redis);
      await redis.config('RESETSTAT');
      const pairs = await readCodes(ours.base, ours.token, ours.refPort, SIGN_INS);
      for (const { authId, otp } of pairs) {
        const res = await fetch(`${ours.base}/ciam-mfa/v2/deviceAuthentications/${authId}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${ours.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ otp, deviceType: 'SMS' }),
        });
        assert.equal(res.status, 200);
      }
      await untilQuiet(redis);
      oursCalls = perSignIn(await commandCalls(redis));
    } finally {
      await ours.stop();
    }
    const floor = await startSigninFloor(local.url);
    let floorCalls: Map<string, number>;
    try {
      await floorValidations(floor.base, await floor.authIds(2), 1);
      await untilQuiet(redis);
      await redis.config('RESETSTAT');
      const figures = await floorValidations(floor.base, await floor.authIds(SIGN_INS), 4);
      assert.equal(figures.non2xx, 0, 'every floor validation answered 200');
      await untilQuiet(redis);
      floorCalls = perSignIn(await commandCalls(redis));
    } finally {
      await floor.stop();
    }
    const names = [...new Set([...oursCalls.keys(), ...floorCalls.keys()])].sort();
    console.log('Redis calls per sign-in (request-code, send, validate-code), ours | floor:');
    for (const name of names) {
      console.log(`  ${name.padEnd(18)} ${(oursCalls.get(name) ?? 0).toFixed(2).padStart(6)} | ${(floorCalls.get(name) ?? 0).toFixed(2).padStart(6)}`);
    }
    const total = (calls: Map<string, number>) => [...calls.values()].reduce((a, b) => a + b, 0);
    const [o, f] = [total(oursCalls), total(floorCalls)];
    console.log(`  ${'total'.padEnd(18)} ${o.toFixed(2).padStart(6)} | ${f.toFixed(2).padStart(6)}`);
    // BullMQ's fetch loop (moveToActive when the queue runs dry, 'drained' events) runs more or
    // fewer times with the timing of the jobs' arrival: totals are compared with some room.
    const foreign = names.filter((n) => !oursCalls.has(n));
    assert.deepEqual(foreign, [], 'the floor runs no command our sign-in does not');
    const leftOut = names.filter((n) => (oursCalls.get(n) ?? 0) >= 1 && (floorCalls.get(n) ?? 0) < 0.5 * oursCalls.get(n)!);
    assert.deepEqual(leftOut, [], 'the floor leaves out none of the work our sign-in does');
    assert.ok(f >= 0.9 * o && f <= 1.25 * o, `the floor makes ${f.toFixed(1)} calls per sign-in, ours ${o.toFixed(1)}`);
  });
});
