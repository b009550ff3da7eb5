// Issue 13: load spreads over a Redis Cluster. After 10,000 sign-ins through the bridge (request a
// code, read it from the phone, validate it), with the reference API's queue split in three
// (QUEUE_SHARDS=3), every master holds 20–50% of the keys and served 20–50% of the commands.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  nextPhone,
  signIn,
  startClusterStack,
  type ClusterStack,
} from '../support/cluster-stack.js';
import { masterFigures, perUnit, resetStats, spreadTable } from '../support/cluster-stats.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';

const SIGN_INS = 10_000;
const CONCURRENCY = 32;

describe('load on a Redis Cluster of three masters', () => {
  let cluster: RedisCluster;
  let stack: ClusterStack;
  before(async () => {
    cluster = await startRedisCluster();
    stack = await startClusterStack({ seeds: cluster.seeds, env: { QUEUE_SHARDS: '3' } });
  });
  after(async () => {
    await stack?.stop();
    await cluster?.stop();
  });

  it('spreads the keys and the commands of 10,000 sign-ins over every master, 20–50% each', async () => {
    const set = stack.sets[0]!;
    const bearer = await stack.token(set.bridgeUrl);
    await resetStats(cluster);
    const started = Date.now();
    let next = 0;
    const failures: string[] = [];
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < SIGN_INS; i = next++) {
          await signIn(stack, set.bridgeUrl, bearer, `user-${i}`, nextPhone()).catch((err: Error) =>
            failures.push(err.message),
          );
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    const figures = await masterFigures(cluster);
    const { rows, text } = spreadTable(figures);
    console.log(
      `${SIGN_INS} sign-ins in ${seconds.toFixed(1)} s (${(SIGN_INS / seconds).toFixed(0)}/s), ${failures.length} failed\n${text}\n${perUnit(figures, SIGN_INS)}`,
    );
    assert.deepEqual(
      failures.slice(0, 5),
      [],
      `${failures.length} sign-ins failed; the processes logged:\n${stack.problems().slice(-20).join('\n')}`,
    );
    assert.equal(rows.length, 3);
    for (const row of rows) {
      assert.ok(
        row.keysPct >= 20 && row.keysPct <= 50,
        `${row.node} holds ${row.keysPct.toFixed(1)}% of the keys`,
      );
      assert.ok(
        row.commandsPct >= 20 && row.commandsPct <= 50,
        `${row.node} served ${row.commandsPct.toFixed(1)}% of the commands`,
      );
    }
  });
});
