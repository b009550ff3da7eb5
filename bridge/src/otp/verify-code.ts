import type { Application } from '../apps/application.js';
import { CiamError } from '../errors.js';
import { checkTotpCode } from '../totp/check-totp.js';
import { otpReplayed } from '../totp/totp-errors.js';
import type { AuthRecord } from './auth-record.js';
import { hashCode, hashesEqual, hasCodeShape } from './code.js';
import type { VerifyOutcome } from './code-store.js';
import { ownRecord, readRecord } from './find-record.js';
import { userWaitPolicy, type OtpDeps } from './otp-deps.js';
import { maxAttemptsReached, refusalError } from './otp-errors.js';

/** A code to check, as the CIAM API takes it. */
export interface VerifyRequest {
  readonly authId: string;
  readonly otp: string;
  /** Optional; when given it must be the authentication's device type. */
  readonly deviceType?: string | undefined;
}

/**
 * Checks a code: find the caller's own authentication and count the attempt against the limits,
 * refuse a code of the wrong shape without counting it, compare it in constant time (with the sent
 * code's HMAC, or with the codes of the user's TOTP devices near now), then let one atomic script
 * consume the authentication (and a device's time step) or count the failure. Resolves on success.
 */
export async function verifyCode(
  deps: OtpDeps,
  app: Application,
  request: VerifyRequest,
): Promise<void> {
  const record = await admitAttempt(deps, app, request.authId);
  refuseWrongShape(record, request);
  const outcome =
    record.deviceType === 'TOTP'
      ? await checkTotpCode(deps, record, request.otp)
      : await checkSentCode(deps, record, request.otp);
  if (outcome.kind === 'validated') {
    await deps.replicas.forAuth(record.authId, 'code validated');
  }
  await report(deps, record, outcome);
  if (outcome.kind === 'validated') {
    return;
  }
  if (outcome.kind === 'wrong_code') {
    throw new CiamError('OTP_INVALID', 'The OTP is incorrect', {
      attemptsRemaining: outcome.attemptsRemaining,
    });
  }
  if (outcome.kind === 'replayed') {
    throw otpReplayed(outcome.attemptsRemaining);
  }
  if (outcome.kind === 'locked_now') {
    throw maxAttemptsReached();
  }
  throw refusalError(outcome);
}

/** Compares the HMACs of a code that was sent in constant time, then lets the store act on the result. */
async function checkSentCode(
  deps: OtpDeps,
  record: AuthRecord,
  otp: string,
): Promise<VerifyOutcome> {
  const candidate = hashCode(deps.serverSecret, record.authId, otp);
  const matched =
    record.codeHash !== undefined && hashesEqual(candidate, Buffer.from(record.codeHash, 'hex'));
  return deps.store.verify({
    authId: record.authId,
    clientId: record.clientId,
    userKey: record.userKey,
    matched,
    candidateHash: candidate.toString('hex'),
    nowMs: deps.now(),
    policy: userWaitPolicy(record.maxAttempts),
  });
}

/**
 * The caller's own authentication once the attempt is counted against the validation limits. A
 * locked one is refused first: it stays locked, so a 429 would send the client back (Retry-After)
 * for nothing. That costs no extra round trip (the record is read anyway), compares no code, and
 * counts and audits nothing (the lock was audited when it happened; a flood of refusals must not
 * push older events out of the capped trail). The verify script checks the state again, atomically.
 */
async function admitAttempt(deps: OtpDeps, app: Application, authId: string): Promise<AuthRecord> {
  const stored = await readRecord(deps, authId);
  if (stored?.clientId === app.clientId && stored.status === 'locked') {
    throw maxAttemptsReached();
  }
  await deps.limits.countValidation(app.clientId, authId);
  return ownRecord(app, stored);
}

/**
 * A malformed code cannot be right, so it is refused (errorCode 10009) without spending an attempt:
 * the shape is the authentication's own code length, so every candidate that could match is still counted.
 */
function refuseWrongShape(record: AuthRecord, request: VerifyRequest): void {
  if (!hasCodeShape(request.otp, record.codeLength)) {
    throw new CiamError('INVALID_REQUEST', `The OTP must be ${record.codeLength} digits`, {
      errorCode: 10009,
      details: [{ field: 'otp', message: `must be ${record.codeLength} digits` }],
    });
  }
  if (request.deviceType !== undefined && request.deviceType.toUpperCase() !== record.deviceType) {
    throw new CiamError('INVALID_REQUEST', 'deviceType does not match the authentication', {
      details: [{ field: 'deviceType', message: 'is not the device type the code was sent to' }],
    });
  }
}

async function report(deps: OtpDeps, record: AuthRecord, outcome: VerifyOutcome): Promise<void> {
  const event = {
    application: record.clientId,
    authId: record.authId,
    phone: record.phoneMasked,
    test: record.test,
  };
  if (outcome.kind === 'validated') {
    deps.metrics.count('validated', record.clientId, record.country, record.test);
    // independent writes: asked together, they share one round trip
    await Promise.all([
      record.pumpingPrefix
        ? deps.pumping.validated(record.clientId, record.pumpingPrefix, deps.now())
        : undefined,
      deps.audit.record({ ...event, type: 'validated', outcome: 'success' }),
    ]);
    return;
  }
  if (['wrong_code', 'replayed', 'locked_now'].includes(outcome.kind)) {
    deps.metrics.count('failed', record.clientId, record.country, record.test);
  }
  if (outcome.kind === 'locked_now') {
    deps.metrics.count('locked', record.clientId, record.country, record.test);
  }
  if (outcome.kind === 'expired') {
    deps.metrics.count('expired', record.clientId, record.country, record.test);
  }
  await deps.audit.record({
    ...event,
    type: outcome.kind === 'expired' ? 'expired' : 'validation_failed',
    outcome: 'failure',
    reason: outcome.kind,
  });
  if (outcome.kind === 'locked_now') {
    await deps.audit.record({
      ...event,
      type: 'locked',
      outcome: 'failure',
      reason: 'max_attempts',
    });
  }
}
