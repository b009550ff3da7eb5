import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { maskPhone } from '@sms-mfa/common/mask';
import type { Channel } from '../providers/sms-provider.js';
import type { MessageEvent, MessageRecord } from './message-status.js';

const TRANSITION_LUA = readFileSync(new URL('./transition.lua', import.meta.url), 'utf8');

/** Optional facts an event carries. */
export interface EventFields {
  provider?: string;
  providerMessageId?: string;
  reason?: string;
  errorCode?: string;
}

/** What a new message record needs. */
export interface NewMessage {
  id: string;
  channel: Channel;
  to: string;
  clientRef: string | undefined;
  createdAt: Date;
  expiresAt: Date;
}

/** Status records and the provider-id index, in Redis. */
export class MessageStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly retentionSeconds: number,
  ) {
    redis.defineCommand('smsmfaTransition', { numberOfKeys: 1, lua: TRANSITION_LUA });
  }

  private key(id: string): string {
    return `${this.prefix}:msg:${id}`;
  }

  private providerKey(provider: string, providerMessageId: string): string {
    return `${this.prefix}:pmid:${provider}:${providerMessageId}`;
  }

  /** Writes the record of a message that is being queued. */
  async create(message: NewMessage): Promise<MessageRecord> {
    const at = message.createdAt.toISOString();
    const record: MessageRecord = {
      id: message.id,
      status: 'queued',
      channel: message.channel,
      to: maskPhone(message.to),
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
  ): Promise<'applied' | 'ignored' | 'missing'> {
    const clean = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
    const redis = this.redis as Redis & {
      smsmfaTransition(key: string, ...args: string[]): Promise<number>;
    };
    const result = await redis.smsmfaTransition(
      this.key(id),
      event,
      JSON.stringify(clean),
      at.toISOString(),
    );
    return result === 1 ? 'applied' : result === 0 ? 'ignored' : 'missing';
  }

  /** Remembers which message a provider id belongs to, for delivery receipts. */
  async indexProviderId(id: string, provider: string, providerMessageId: string): Promise<void> {
    await this.redis.set(
      this.providerKey(provider, providerMessageId),
      id,
      'EX',
      this.retentionSeconds,
    );
  }

  /** The message a provider's id belongs to. */
  async findByProviderId(provider: string, providerMessageId: string): Promise<string | undefined> {
    return (await this.redis.get(this.providerKey(provider, providerMessageId))) ?? undefined;
  }
}
