import type { Application } from '../apps/application.js';
import type { SentMessage } from '../messaging/reference-api-client.js';
import type { AuthRecord } from './auth-record.js';
import { channelOf } from './device-target.js';
import { messageContent } from './message-content.js';
import type { OtpDeps } from './otp-deps.js';

/** One send of a code, and how to take back what was written for it if the send fails. */
export interface Delivery {
  readonly app: Application;
  readonly record: AuthRecord;
  readonly code: string;
  /** E.164, or an address for EMAIL; only ever in memory and in the message. */
  readonly to: string;
  readonly nowMs: number;
  /** Undoes the record or counters written for this send: nothing half-written stays behind. */
  readonly undo: () => Promise<void>;
}

/**
 * Renders the message and hands it to the reference API; on any failure undoes, audits, and
 * rethrows; once sent, adds its estimated price to the application's spend. A test device's code
 * is not sent at all (and costs nothing).
 */
export async function deliverCode(deps: OtpDeps, d: Delivery): Promise<void> {
  const { record } = d;
  const audit = { application: record.clientId, authId: record.authId, phone: record.phoneMasked };
  if (record.test) {
    deps.logger.info('test device: code not sent', { ...audit, test: true, send: record.sends });
    return;
  }
  let sent: SentMessage;
  try {
    const ttlSeconds = (record.expiresAtMs - d.nowMs) / 1000;
    const values = { code: d.code, minutes: ttlSeconds / 60 };
    sent = await deps.sender.send({
      to: d.to,
      channel: channelOf(record.deviceType),
      code: d.code,
      ttlSeconds,
      locale: record.locale,
      ...messageContent(deps.serverSecret, d.app, record, values),
      idempotencyKey: `${record.authId}.${record.sends}`,
      clientRef: record.authId,
      account: d.app.clientId,
    });
  } catch (err) {
    await d.undo();
    await deps.audit.record({
      ...audit,
      type: 'send_failed',
      outcome: 'failure',
      reason: (err as { code?: string }).code ?? 'error',
    });
    throw err;
  }
  // the spend never fails the send, so it and the audit event go out together
  await Promise.all([
    deps.budget.record(d.app, sent.estimatedPrice, d.nowMs),
    deps.audit.record({
      ...audit,
      type: 'sent',
      outcome: 'success',
      reason: `send ${record.sends}`,
    }),
  ]);
  deps.logger.info('code sent', { ...audit, deviceType: record.deviceType, send: record.sends });
}
