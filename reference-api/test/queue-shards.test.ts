import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { loadConfig } from '../src/config.js';
import {
  idInShard,
  QueueShards,
  shardOfDigest,
  shardOfId,
  shardPrefix,
} from '../src/delivery/queue-shards.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const digest = (s: string) => createHash('sha256').update(s).digest('hex');

describe('queue shards', () => {
  it('keeps today’s {smsmfa} key names with one shard, so an upgrade loses nothing', () => {
    const shards = new QueueShards('{smsmfa}');
    assert.deepEqual(shards.prefixes, ['{smsmfa}']);
    const id = shards.newId();
    assert.equal(shards.prefixOfId(id), '{smsmfa}');
    assert.equal(shards.prefixOfDigest(digest('any key')), '{smsmfa}');
    assert.equal(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).queueShards, 1);
  });

  it('names N shards {smsmfa:0}..{smsmfa:N-1}, inside the hash tag', () => {
    assert.deepEqual(new QueueShards('{smsmfa}', 3).prefixes, [
      '{smsmfa:0}',
      '{smsmfa:1}',
      '{smsmfa:2}',
    ]);
    assert.equal(shardPrefix('{acme}', 7, 8), '{acme:7}');
  });

  it('gives ids that are still plain UUIDs and always fall on the shard they were made for', () => {
    for (const count of [1, 2, 3, 5, 64]) {
      for (let shard = 0; shard < count; shard++) {
        const id = idInShard(shard, count);
        assert.match(id, UUID_V4);
        assert.equal(shardOfId(id, count), shard);
      }
    }
  });

  it('spreads new ids and idempotency digests over every shard, roughly evenly', () => {
    const shards = new QueueShards('{smsmfa}', 4);
    const byId = [0, 0, 0, 0];
    const byDigest = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) {
      byId[shardOfId(shards.newId(), 4)]! += 1;
      byDigest[shardOfDigest(digest(`key-${i}`), 4)]! += 1;
    }
    for (const n of [...byId, ...byDigest]) {
      assert.ok(n > 800 && n < 1200, `a shard got ${n} of 4000`);
    }
  });

  it('puts a message made for an idempotency key on that key’s shard, every time', () => {
    const shards = new QueueShards('{smsmfa}', 5);
    for (let i = 0; i < 200; i++) {
      const d = digest(`caller\nkey-${i}`);
      const id = shards.newId(d);
      assert.equal(shards.prefixOfId(id), shards.prefixOfDigest(d));
      assert.equal(shards.prefixOfId(id), shards.prefixOfId(id), 'stable');
    }
  });

  it('files an id that is not a UUID (a hand-made or older one) on shard 0', () => {
    assert.equal(shardOfId('m5', 3), 0);
    assert.equal(new QueueShards('{st}', 3).prefixOfId('m5'), '{st:0}');
    assert.equal(new QueueShards('{st}').prefixOfId('m5'), '{st}');
  });

  it('keeps an id on its shard when QUEUE_SHARDS is raised', () => {
    const id = idInShard(2, 3);
    assert.equal(shardOfId(id, 5), 2);
    assert.equal(shardOfId(id, 64), 2);
  });

  it('refuses QUEUE_SHARDS outside 1..64 when the config is read', () => {
    assert.throws(
      () => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_SHARDS: '65' }),
      /QUEUE_SHARDS/,
    );
    assert.throws(
      () => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', QUEUE_SHARDS: '0' }),
      /QUEUE_SHARDS/,
    );
  });
});
