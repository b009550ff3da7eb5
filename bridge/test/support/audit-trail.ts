import type { RedisClient } from '@sms-mfa/common/redis-client';
import { AuditLog, type StoredAuditEvent } from '../../src/audit/audit-log.js';

/** Every audit event of the bridge under `keyPrefix`, oldest first, read as the admin API reads them. */
export async function auditTrail(
  redis: RedisClient,
  keyPrefix = '{mfa}',
): Promise<StoredAuditEvent[]> {
  const audit = new AuditLog(redis, keyPrefix);
  const events: StoredAuditEvent[] = [];
  let cursor: string | undefined;
  do {
    const page = await audit.page(cursor, 1000);
    events.push(...page.events);
    cursor = page.nextCursor;
  } while (cursor);
  return events.reverse();
}
