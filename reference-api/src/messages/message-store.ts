import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import { maskEmail, maskPhone } from '@sms-mfa/common/mask';
import type { DeliveryFields, DeliveryRecords } from '../delivery/delivery-records.js';
import { asShards, type QueueShards } from '../delivery/queue-shards.js';
import type { RecordedPrice } from '../pricing/send-price.js';
import type { Channel } from '../providers/sms-provider.js';
import type { MessageEvent, MessageRecord } from './message-status.js';

const TRANSITION_LUA = readFileSync(new URL('./transition.lua', import.meta.url), 'utf8');

/** Optional facts an event carries; a send's price is on the record once it is sent. */
export type EventFields = DeliveryFields & { price?: RecordedPrice };

/** What a new message record needs. */
export interface NewMessage {
  id: string;
  channel: Channel;
  to: string;
  clientRef: string | undefined;
  createdAt: Date;
  expiresAt: Date;
}

/** What applying an event did. */
export type TransitionResult = 'applied' | 'ignored' | 'missing';

interface TransitionCommands {
  smsmfaTransition(key: string, ...args: string[]): Promise<number>;
  smsmfaTransitionIndexed(key: string, indexKey: string, ...args: string[]): Promise<number>;
}

/**
 * Status records and the provider-id index, in Redis; the send path records through it. A record
 * lives on its message's shard; a provider-id index entry on the shard of a digest of the provider
 * and its id, since a receipt brings nothing else to find it by.
 */
export class MessageStore implements DeliveryRecords {
  private readonly shards: QueueShards;

  constructor(
    private readonly redis: RedisClient,
    prefix: string | QueueShards,
    private readonly retentionSeconds: number,
  ) {
    this.shards = asShards(prefix);
    redis.defineCommand('smsmfaTransition', { numberOfKeys: 1, lua: TRANSITION_LUA });
    redis.defineCommand('smsmfaTransitionIndexed', { numberOfKeys: 2, lua: TRANSITION_LUA });
  }

  /** The record's key, on the shard of message `id`. */
  key(id: string): string {
    return `${this.shards.prefixOfId(id)}:msg:${id}`;
  }

  private providerKey(provider: string, providerMessageId: string): string {
    return `${this.providerShard(provider, providerMessageId)}:pmid:${provider}:${providerMessageId}`;
  }

  // With one shard every digest lands on it: no SHA-256 per send and per receipt.
  private providerShard(provider: string, providerMessageId: string): string {
    if (this.shards.count === 1) {
      return this.shards.prefixes[0]!;
    }
    const digest = createHash('sha256').update(`${provider}\n${providerMessageId}`).digest('hex');
    return this.shards.prefixOfDigest(digest);
  }

  /** Writes the record of a message that is being queued. */
  async create(message: NewMessage): Promise<MessageRecord> {
    const at = message.createdAt.toISOString();
    const record: MessageRecord = {
      id: message.id,
      status: 'queued',
      channel: message.channel,
      to: message.channel === 'email' ? maskEmail(message.to) : maskPhone(message.to),
      ...(message.clientRef ? { clientRef: message.clientRef } : {}),
      createdAt: at,
      updatedAt: at,
      expiresAt: message.expiresAt.toISOString(),
      history: [{ event: 'queued', at }],
    };
    await this.redis.set(this.key(message.id), JSON.stringify(record), 'EX', this.retentionSeconds);
    return record;
  }

  /** Removes a record whose message could not be queued (nothing half-written). */
  async remove(id: string): Promise<void> {
    await this.redis.del(this.key(id));
  }

  /** The record, or undefined. */
  async get(id: string): Promise<MessageRecord | undefined> {
    const raw = await this.redis.get(this.key(id));
    return raw ? (JSON.parse(raw) as MessageRecord) : undefined;
  }

  /** Applies an event: `applied`, `ignored` (out of order, or after a final state) or `missing` (no record). */
  async apply(
    id: string,
    event: MessageEvent,
    fields: EventFields = {},
    at = new Date(),
  ): Promise<TransitionResult> {
    return this.transition(this.key(id), undefined, event, fields, at);
  }

  /**
   * Records that a provider accepted the message and indexes its id for delivery receipts, in one
   * script call: the send path's last write, so one round trip instead of two.
   */
  async recordSent(
    id: string,
    provider: string,
    providerMessageId: string,
    price?: RecordedPrice,
    at = new Date(),
  ): Promise<TransitionResult> {
    const key = this.key(id);
    const indexKey = this.providerKey(provider, providerMessageId);
    const fields = { provider, providerMessageId, price };
    if (this.sameShard(key, indexKey)) {
      return this.transition(key, indexKey, 'sent', fields, at);
    }
    // On different shards (a Cluster refuses a script across slots): two writes, sent together.
    const [result] = await Promise.all([
      this.transition(key, undefined, 'sent', fields, at),
      this.redis.set(indexKey, id, 'EX', this.retentionSeconds),
    ]);
    return result;
  }

  private sameShard(key: string, indexKey: string): boolean {
    return key.slice(0, key.indexOf('}')) === indexKey.slice(0, indexKey.indexOf('}'));
  }

  private async transition(
    key: string,
    indexKey: string | undefined,
    event: MessageEvent,
    fields: EventFields,
    at: Date,
  ): Promise<TransitionResult> {
    // JSON.stringify leaves out undefined fields, as the script expects.
    const args = [event, JSON.stringify(fields), at.toISOString()];
    const redis = this.redis as RedisClient & TransitionCommands;
    const result =
      indexKey === undefined
        ? await redis.smsmfaTransition(key, ...args)
        : await redis.smsmfaTransitionIndexed(key, indexKey, ...args);
    return result === 1 ? 'applied' : result === 0 ? 'ignored' : 'missing';
  }

  /** The message a provider's id belongs to. */
  async findByProviderId(provider: string, providerMessageId: string): Promise<string | undefined> {
    return (await this.redis.get(this.providerKey(provider, providerMessageId))) ?? undefined;
  }
}
