import type { Application } from '../apps/application.js';
import { rateLimited, type Hit } from '../ratelimit/rate-limits.js';
import { nothingToResend } from '../totp/totp-errors.js';
import type { AuthRecord } from './auth-record.js';
import type { ReserveOutcome, SendReservation } from './code-store.js';
import { deliverCode } from './deliver-code.js';
import { limitKeyOf } from './device-target.js';
import { findOwnRecord } from './find-record.js';
import type { OtpDeps } from './otp-deps.js';
import { refusalError } from './otp-errors.js';
import { guardSend } from '../pumping/guard-send.js';

/** What a resend tells the caller. */
export interface Resent {
  readonly authId: string;
  /** When the next resend may be asked for (the cooldown doubles with every send). */
  readonly resendAvailableAt: string;
  readonly sendsRemaining: number;
}

/**
 * Sends the same code again to the same phone, same authId: the store counts the send only
 * outside the cooldown and under the cap, the send is counted against the rate limits, and if
 * the message cannot be queued both counts are given back. Failed attempts are never reset.
 */
export async function resendCode(
  deps: OtpDeps,
  app: Application,
  authId: string,
  ipAddress?: string,
): Promise<Resent> {
  const found = await findOwnRecord(deps, app, authId);
  if (found.deviceType === 'TOTP') {
    throw nothingToResend();
  }
  const nowMs = deps.now();
  const reservation = reserved(
    await deps.store.reserveSend(authId, app.clientId, found.userKey, nowMs),
  );
  const record: AuthRecord = { ...found, sends: reservation.sends };
  const release = () => deps.store.releaseSend(authId, reservation);
  const { code, to } = await openSealed(deps, record, release);
  let hits: Hit[];
  try {
    if (!record.test) {
      await deps.budget.refuseWhenSpent(app, nowMs);
    }
    await guardSend(deps, app.clientId, record.pumpingPrefix, nowMs);
    hits = await deps.limits.countSend({
      clientId: app.clientId,
      phoneKey: limitKeyOf(deps.serverSecret, record.deviceType, to),
      callingCode: record.callingCode,
      ipAddress,
    });
  } catch (err) {
    await release();
    throw err;
  }
  const undo = async () => {
    await release();
    await deps.limits.refund(hits);
  };
  await deliverCode(deps, { app, record, code, to, nowMs, undo });
  await deps.replicas.forAuth(authId, 'code sent again');
  return resent(await deps.store.get(authId), record);
}

function reserved(outcome: ReserveOutcome): SendReservation {
  if (outcome.kind === 'reserved') {
    return outcome;
  }
  if (outcome.kind === 'cooldown') {
    return throwing(
      rateLimited(outcome.retryAfterMs, 'A new code was sent recently; wait before asking again'),
    );
  }
  if (outcome.kind === 'exhausted') {
    return throwing(
      rateLimited(
        outcome.retryAfterMs,
        'No more sends for this authentication; request a new code once it expires',
      ),
    );
  }
  return throwing(refusalError(outcome));
}

function throwing(error: Error): never {
  throw error;
}

async function openSealed(
  deps: OtpDeps,
  record: AuthRecord,
  release: () => Promise<void>,
): Promise<{ code: string; to: string }> {
  if (record.sealed) {
    const { code, to, phone } = JSON.parse(deps.sealer.open(record.authId, record.sealed)) as {
      code: string;
      to?: string;
      /** Where records sealed before EMAIL existed kept the number. */
      phone?: string;
    };
    return { code, to: to ?? phone ?? '' };
  }
  // Finished between the read and the reservation: its code is gone, so this authentication is over.
  await release();
  throw refusalError({ kind: 'expired' });
}

function resent(after: AuthRecord | undefined, record: AuthRecord): Resent {
  const current = after ?? record;
  return {
    authId: record.authId,
    resendAvailableAt: new Date(current.nextResendAtMs).toISOString(),
    sendsRemaining: Math.max(0, current.maxSends - current.sends),
  };
}
