import type { RedisClient } from '@sms-mfa/common/redis-client';
import { maskRecipient } from '@sms-mfa/common/mask';
import {
  AUDIT_SHARDS,
  auditShardOf,
  carriesTag,
  KeyLayout,
  tagOfAuthId,
  userTag,
} from '../otp/key-layout.js';
import { newestFirst, parsePosition, positionId, type MergedEntry } from './newest-first.js';

/** Everything the audit trail records. */
export type AuditEventType =
  | 'issued'
  | 'sent'
  | 'send_failed'
  | 'validated'
  | 'validation_failed'
  | 'locked'
  | 'expired'
  | 'canceled'
  | 'rate_limited'
  | 'prefix_quarantined'
  | 'budget_warning'
  | 'budget_exhausted'
  | 'device_enrolled'
  | 'device_activated'
  | 'device_removed';

/** One audit event as recorded: never a code, never a full phone number or address. */
export interface AuditEvent {
  readonly type: AuditEventType;
  readonly application: string;
  readonly authId?: string | undefined;
  /** An authenticator device's id, for its enrolment, activation and removal. */
  readonly deviceId?: string | undefined;
  /** A number or an email address, masked on the way in whatever the caller passes; an address is recorded as `email`. */
  readonly phone?: string | undefined;
  readonly outcome: 'success' | 'failure';
  /** A short machine-readable reason (e.g. wrong_code, user_wait, DELIVERY_UNAVAILABLE). */
  readonly reason?: string | undefined;
  /** A test device's authentication (fixed code, nothing sent): recorded as `test: true`. */
  readonly test?: boolean | undefined;
}

/** An event read back, with its id (`ms-seq-stream`, the paging cursor) and time. */
export type StoredAuditEvent = { readonly id: string; readonly at: string } & Record<
  string,
  string
>;

/** One page of events, newest first; `nextCursor` is absent on the last page. */
export interface AuditPage {
  readonly events: StoredAuditEvent[];
  readonly nextCursor: string | undefined;
}

const MAX_EVENTS = 100_000;

/**
 * The audit trail: {@link AUDIT_SHARDS} capped streams `mfa:{audit:<n>}:events` (one stream took 2-3
 * writes per sign-in on one Redis Cluster master), read back as one, newest first. An
 * authentication's events share a stream (picked by the authId's user tag), so their order is
 * exact; so do a device's, and an application's events about neither. The one stream of earlier
 * versions (`{mfa}:events`) is still read, never written, and trimmed at each start to the room the
 * cap leaves beside the shards ({@link AuditLog.trimLegacy}).
 */
export class AuditLog {
  readonly #keys: KeyLayout;
  /** The old stream first (rank 0), then the shards. */
  readonly #streams: readonly string[];

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
    private readonly now: () => number = Date.now,
  ) {
    this.#keys = new KeyLayout(keyPrefix);
    const shards = Array.from({ length: AUDIT_SHARDS }, (_, n) => this.#keys.auditShard(n));
    this.#streams = [this.#keys.legacyAudit(), ...shards];
  }

  /** Appends one event (the streams keep about the newest 100 000 together). */
  async record(event: AuditEvent): Promise<void> {
    const fields = [
      'type',
      event.type,
      'application',
      event.application,
      'outcome',
      event.outcome,
      'at',
      new Date(this.now()).toISOString(),
    ];
    if (event.authId) {
      fields.push('authId', event.authId);
    }
    if (event.deviceId) {
      fields.push('deviceId', event.deviceId);
    }
    if (event.phone) {
      const masked = maskRecipient(event.phone);
      fields.push(masked.includes('@') ? 'email' : 'phone', masked);
    }
    if (event.reason) {
      fields.push('reason', event.reason);
    }
    if (event.test) {
      fields.push('test', 'true');
    }
    const cap = String(Math.ceil(MAX_EVENTS / AUDIT_SHARDS));
    await this.redis.xadd(this.streamOf(event), 'MAXLEN', '~', cap, '*', ...fields);
  }

  /**
   * Trims the old stream (`{mfa}:events`, read, never written) to what the cap leaves beside the
   * shards, deleting it once the shards alone fill the cap: without this it kept every event it ever
   * held. Its entries are all older than the shards', so they are the ones the cap drops first.
   * Returns how many entries it still holds.
   */
  async trimLegacy(cap = MAX_EVENTS): Promise<number> {
    const legacy = this.#keys.legacyAudit();
    if ((await this.redis.exists(legacy)) === 0) {
      return 0;
    }
    const shardLengths = await Promise.all(
      this.#streams.filter((s) => s !== legacy).map((s) => this.redis.xlen(s)),
    );
    const room = cap - shardLengths.reduce((a, b) => a + b, 0);
    if (room <= 0) {
      await this.redis.del(legacy);
      return 0;
    }
    await this.redis.xtrim(legacy, 'MAXLEN', room);
    return this.redis.xlen(legacy);
  }

  /** Events older than `cursor` (or the newest when absent), at most `limit`. */
  async page(cursor: string | undefined, limit: number): Promise<AuditPage> {
    const before = cursor ? parsePosition(cursor) : undefined;
    const rows = await newestFirst(this.redis, this.#streams, before, limit + 1);
    const events = rows.slice(0, limit).map(toEvent);
    return { events, nextCursor: rows.length > limit ? events.at(-1)?.id : undefined };
  }

  private streamOf(event: AuditEvent): string {
    // one authentication's (or device's, or application's) events in one stream keep their order
    const tag =
      event.authId && carriesTag(event.authId)
        ? tagOfAuthId(event.authId)
        : userTag(event.deviceId ?? event.application);
    return this.#keys.auditShard(auditShardOf(tag));
  }
}

function toEvent(entry: MergedEntry): StoredAuditEvent {
  const event: Record<string, string> = { id: positionId(entry), at: '' };
  const flat = entry.fields;
  for (let i = 0; i + 1 < flat.length; i += 2) {
    event[flat[i]!] = flat[i + 1]!;
  }
  return event as StoredAuditEvent;
}
