import type { RedisClient } from '@sms-mfa/common/redis-client';
import { maskRecipient } from '@sms-mfa/common/mask';

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

/** An event read back, with its stream id (the paging cursor) and time. */
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

/** The audit trail: a capped RedisClient stream `${keyPrefix}:events`. */
export class AuditLog {
  readonly #key: string;

  constructor(
    private readonly redis: RedisClient,
    keyPrefix: string,
    private readonly now: () => number = Date.now,
  ) {
    this.#key = `${keyPrefix}:events`;
  }

  /** Appends one event (the stream keeps about the newest 100 000). */
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
    await this.redis.xadd(this.#key, 'MAXLEN', '~', String(MAX_EVENTS), '*', ...fields);
  }

  /** Events older than `cursor` (or the newest when absent), at most `limit`. */
  async page(cursor: string | undefined, limit: number): Promise<AuditPage> {
    const rows = await this.redis.xrevrange(
      this.#key,
      cursor ? `(${cursor}` : '+',
      '-',
      'COUNT',
      limit + 1,
    );
    const events = rows.slice(0, limit).map(([id, flat]) => toEvent(id, flat));
    return { events, nextCursor: rows.length > limit ? events.at(-1)?.id : undefined };
  }
}

function toEvent(id: string, flat: string[]): StoredAuditEvent {
  const event: Record<string, string> = { id, at: '' };
  for (let i = 0; i + 1 < flat.length; i += 2) {
    event[flat[i]!] = flat[i + 1]!;
  }
  return event as StoredAuditEvent;
}
