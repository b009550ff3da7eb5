import { createHash } from 'node:crypto';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import { asShards, type QueueShards } from '../delivery/queue-shards.js';

/** What a claim on an Idempotency-Key found. */
export type IdempotencyClaim =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'replay'; readonly messageId: string }
  | { readonly kind: 'conflict' };

const DAY_SECONDS = 86_400;

/**
 * Idempotency keys in Redis for 24 h: the first request with a key wins; a retry gets its message
 * back. A key lives on the shard of its digest, and its message is given an id on that same shard.
 */
export class IdempotencyKeys {
  private readonly shards: QueueShards;

  constructor(
    private readonly redis: RedisClient,
    prefix: string | QueueShards,
  ) {
    this.shards = asShards(prefix);
  }

  /** The digest that names a caller's key (and picks its shard). */
  digest(scope: string, idempotencyKey: string): string {
    return createHash('sha256').update(`${scope}\n${idempotencyKey}`).digest('hex');
  }

  private key(scope: string, idempotencyKey: string): string {
    const digest = this.digest(scope, idempotencyKey);
    return `${this.shards.prefixOfDigest(digest)}:idem:${digest}`;
  }

  /** Claims `idempotencyKey` for `messageId`; the fingerprint tells a retry from a different request. */
  async claim(
    scope: string,
    idempotencyKey: string,
    messageId: string,
    fingerprint: string,
  ): Promise<IdempotencyClaim> {
    const key = this.key(scope, idempotencyKey);
    const set = await this.redis.set(key, `${messageId} ${fingerprint}`, 'EX', DAY_SECONDS, 'NX');
    if (set === 'OK') {
      return { kind: 'claimed' };
    }
    const [existingId, existingPrint] = ((await this.redis.get(key)) ?? '').split(' ');
    if (!existingId) {
      return this.claim(scope, idempotencyKey, messageId, fingerprint);
    }
    return existingPrint === fingerprint
      ? { kind: 'replay', messageId: existingId }
      : { kind: 'conflict' };
  }

  /** Frees a key whose message could not be queued, so the client's retry can go through. */
  async release(scope: string, idempotencyKey: string): Promise<void> {
    await this.redis.del(this.key(scope, idempotencyKey));
  }
}

/** A stable digest of a request body, to recognise a retry of the same request. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 22);
}
