import { randomInt, randomUUID } from 'node:crypto';

// QUEUE_SHARDS splits the send queue, and the keys that go with each message, over N hash tags so a
// Redis Cluster spreads them over its masters. Everything about one message (its job, its record,
// its idempotency key) shares one tag, so every script and MULTI stays within one slot.

/** The most shards QUEUE_SHARDS allows; a message id carries its shard as a number below this. */
export const MAX_QUEUE_SHARDS = 64;

/** The shard `hex` (a hex digest, at least 8 digits) falls in, out of `count`. */
export function shardOfDigest(hex: string, count: number): number {
  return Number.parseInt(hex.slice(0, 8), 16) % count;
}

/**
 * The shard a message id belongs to. The id's first 8 hex digits, modulo {@link MAX_QUEUE_SHARDS},
 * are its shard: raising QUEUE_SHARDS keeps every existing id on its shard.
 */
export function shardOfId(id: string, count: number): number {
  const head = Number.parseInt(id.slice(0, 8), 16);
  // An id that is no UUID (older or hand-made) goes to shard 0, never to no shard.
  return Number.isNaN(head) ? 0 : (head % MAX_QUEUE_SHARDS) % count;
}

/** A new random UUID (v4 still: only random bits change) whose shard is `shard`. */
export function idInShard(shard: number, count: number): string {
  if (!Number.isInteger(shard) || shard < 0 || shard >= count) {
    throw new TypeError(`idInShard: shard ${shard} is not within 0..${count - 1}`);
  }
  const id = randomUUID();
  const head = Number.parseInt(id.slice(0, 8), 16);
  const placed = head - (head % MAX_QUEUE_SHARDS) + shard;
  return placed.toString(16).padStart(8, '0') + id.slice(8);
}

/** The queue prefix of shard `i`: `{smsmfa}` stays as it is with one shard, else `{smsmfa:i}`. */
export function shardPrefix(base: string, shard: number, count: number): string {
  return count === 1 ? base : `${base.slice(0, -1)}:${shard}}`;
}

/** The shards of one deployment: QUEUE_PREFIX and QUEUE_SHARDS. */
export class QueueShards {
  /** Every shard's prefix, shard 0 first. */
  readonly prefixes: readonly string[];

  constructor(
    readonly base: string,
    readonly count = 1,
  ) {
    if (!/^\{.+\}$/.test(base) || !Number.isInteger(count) || count < 1) {
      throw new TypeError(`QueueShards: "${base}" × ${count} is not a hash tag and a shard count`);
    }
    if (count > MAX_QUEUE_SHARDS) {
      throw new TypeError(`QueueShards: at most ${MAX_QUEUE_SHARDS} shards`);
    }
    this.prefixes = Array.from({ length: count }, (_, i) => shardPrefix(base, i, count));
  }

  /** The prefix of the shard message `id` lives on. */
  prefixOfId(id: string): string {
    return this.prefixes[shardOfId(id, this.count)]!;
  }

  /** The prefix of the shard a hex digest falls in. */
  prefixOfDigest(hex: string): string {
    return this.prefixes[shardOfDigest(hex, this.count)]!;
  }

  /** A new message id: on the shard of `digest` when given (an idempotency key's), else on a random one. */
  newId(digest?: string): string {
    const shard = digest ? shardOfDigest(digest, this.count) : randomInt(this.count);
    return idInShard(shard, this.count);
  }
}

/** `prefix` as shards: a bare string (one shard, as before QUEUE_SHARDS) or the shards themselves. */
export function asShards(prefix: string | QueueShards): QueueShards {
  return typeof prefix === 'string' ? new QueueShards(prefix, 1) : prefix;
}
