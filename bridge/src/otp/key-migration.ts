// Upgrading from the single-tag layout (every key under `{mfa}:`) on one Redis: the records that
// outlive a deployment move to their new names once, at start. What is left to expire instead:
//   - authentications (`{mfa}:auth:*`): their authIds carry no user tag, and they live at most the
//     code's lifetime plus 15 minutes; a sign-in under way at the upgrade asks for a new code;
//   - rate-limit windows (`{mfa}:rl:*`): at most an hour; the counts start over once.
// The old audit stream (`{mfa}:events`) stays where it is and is still read. Applications, signing
// keys and the spend ledger keep their names. A Redis Cluster has no such past: nothing is moved.
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { isCluster, type RedisClient } from '@sms-mfa/common/redis-client';
import { KeyLayout } from './key-layout.js';

const MOVE = readFileSync(new URL('./move-key.lua', import.meta.url), 'utf8');

/** Old names (after `{mfa}:`) that move, and where each goes. */
const MOVES: readonly [RegExp, (keys: KeyLayout, m: RegExpExecArray) => string][] = [
  [/^totp-device:([^:]+):(.+)$/, (k, m) => k.totpDevice(m[1]!, m[2]!)],
  [/^totp-devices:(.+)$/, (k, m) => k.totpDevices(m[1]!)],
  [/^totp-users:(.+)$/, (k, m) => k.totpUsers(m[1]!)],
  [/^user-failures:(.+)$/, (k, m) => k.userFailures(m[1]!)],
  [/^pump:q:(.+)$/, (k, m) => k.pumpQuarantines(m[1]!)],
  [/^pump:w:([^:]+):(.+)$/, (k, m) => k.pumpWindow(m[1]!, m[2]!)],
];

/** The new name of an old key, or undefined when it stays (or is left to expire). */
export function newNameOf(keys: KeyLayout, oldKey: string): string | undefined {
  const start = `${keys.keyPrefix}:`;
  if (!oldKey.startsWith(start)) {
    return undefined;
  }
  const rest = oldKey.slice(start.length);
  for (const [pattern, target] of MOVES) {
    const m = pattern.exec(rest);
    if (m) {
      return target(keys, m);
    }
  }
  return undefined;
}

/** Moves TOTP devices, user waits and pumping state to their new names; how many records moved. Idempotent. */
export async function moveLegacyKeys(redis: RedisClient, keyPrefix: string): Promise<number> {
  if (isCluster(redis)) {
    return 0;
  }
  const keys = new KeyLayout(keyPrefix);
  let moved = 0;
  for await (const batch of scanOld(redis, keyPrefix)) {
    for (const oldKey of batch) {
      const newKey = newNameOf(keys, oldKey);
      if (newKey) {
        moved += Number(await redis.eval(MOVE, 2, oldKey, newKey));
      }
    }
  }
  return moved;
}

function scanOld(redis: Redis, keyPrefix: string): AsyncIterable<string[]> {
  return redis.scanStream({ match: `${keyPrefix}:*`, count: 1000 });
}
