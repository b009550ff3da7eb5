import type { Application, DeviceType } from '../apps/application.js';
import { testDeviceCode } from '../apps/test-devices.js';
import type { AuthRecord } from './auth-record.js';
import { generateCode, hashCode } from './code.js';
import { deliverCode } from './deliver-code.js';
import {
  destinationOf,
  limitKeyOf,
  sendableDeviceType,
  type Destination,
} from './device-target.js';
import { refuseUnknownTemplate } from './message-content.js';
import { guardSend, pumpingPrefixOf } from '../pumping/guard-send.js';
import type { OtpDeps } from './otp-deps.js';
import { newAuthId } from './key-layout.js';
import { userMustWait } from './otp-errors.js';
import { userKeyOf } from './pseudonym.js';
import type { Hit } from '../ratelimit/rate-limits.js';

/** A request for a code, as the CIAM API takes it (already checked for shape). */
export interface IssueRequest {
  readonly userName: string;
  /** Required for SMS, WHATSAPP and TELEGRAM. */
  readonly phoneNumber?: string | undefined;
  /** Required for EMAIL. */
  readonly email?: string | undefined;
  readonly deviceType: string;
  readonly templateName?: string | undefined;
  readonly locale?: string | undefined;
  /** The end user's IP, when the caller passes it, for the per-IP limit. */
  readonly ipAddress?: string | undefined;
}

/**
 * Sends a new code: refuse what cannot be sent (device type, number or address, country, sender,
 * template) before counting anything, refuse a user inside a wait, count the send against the
 * limits, store the code's HMAC, send it — and if the send fails, delete the record and give the
 * counts back. A test device gets its fixed code and nothing is sent.
 */
export async function issueCode(
  deps: OtpDeps,
  app: Application,
  request: IssueRequest,
): Promise<{ authId: string }> {
  const deviceType = sendableDeviceType(app, request.deviceType);
  const destination = destinationOf(app, deviceType, request);
  refuseUnknownTemplate(app, deviceType, request);
  const userKey = userKeyOf(deps.serverSecret, app.clientId, request.userName);
  const nowMs = deps.now();
  const { code, test } = codeFor(deps, app, destination);
  await refuseUnsendable(deps, app, { userKey, destination, test, nowMs });
  const pumpingPrefix = pumpingPrefixOf(deps, destination, test);
  const hits = await countSend(deps, app, {
    request,
    deviceType,
    destination,
    pumpingPrefix,
    nowMs,
  });
  const fields = { request, deviceType, destination, userKey, code, test, pumpingPrefix, nowMs };
  const record = newRecord(deps, app, fields);
  await Promise.all([
    deps.store.create(record, nowMs),
    deps.audit.record({
      type: 'issued',
      application: app.clientId,
      authId: record.authId,
      phone: record.phoneMasked,
      outcome: 'success',
      test: record.test,
    }),
  ]);
  const undo = async () => {
    await deps.store.remove(record.authId);
    await deps.limits.refund(hits);
  };
  await deliverCode(deps, { app, record, code, to: destination.address, nowMs, undo });
  await deps.replicas.forAuth(record.authId, 'code sent');
  deps.metrics.count('issued', app.clientId, record.country, record.test);
  return { authId: record.authId };
}

/** A test device's fixed code, or a fresh one from the CSPRNG. */
function codeFor(
  deps: OtpDeps,
  app: Application,
  destination: Destination,
): { code: string; test: boolean } {
  const fixed = testDeviceCode(deps.serverSecret, app, destination.address);
  return { code: fixed ?? generateCode(app.codeLength), test: fixed !== undefined };
}

interface SendCheck {
  readonly userKey: string;
  readonly destination: Destination;
  readonly test: boolean;
  readonly nowMs: number;
}

/**
 * Refuses a user inside a wait, then an application whose budget is spent (a test device spends
 * nothing): both only read, so they are asked together, and the wait is still the first refusal.
 */
async function refuseUnsendable(deps: OtpDeps, app: Application, c: SendCheck): Promise<void> {
  const budgetSpent = c.test ? undefined : deps.budget.refuseWhenSpent(app, c.nowMs);
  budgetSpent?.catch(() => undefined); // a user's wait is answered first; this refusal waits below
  const waitMs = await deps.store.userWaitMs(c.userKey, c.nowMs);
  if (waitMs > 0) {
    await deps.audit.record({
      type: 'rate_limited',
      application: app.clientId,
      phone: c.destination.masked,
      outcome: 'failure',
      reason: 'user_wait',
    });
    throw userMustWait(waitMs);
  }
  await budgetSpent;
}

interface CountedSend {
  readonly request: IssueRequest;
  readonly deviceType: DeviceType;
  readonly destination: Destination;
  readonly pumpingPrefix: string | undefined;
  readonly nowMs: number;
}

/**
 * Counts the send in the prefix's pumping window and against the limits, together. A quarantined
 * prefix is refused first and gives back the limit hits it took, so it counts nowhere, as when the
 * limits were only asked after the guard; a limit's refusal gives its own hits back.
 */
async function countSend(deps: OtpDeps, app: Application, s: CountedSend): Promise<Hit[]> {
  const [guarded, counted] = await Promise.allSettled([
    guardSend(deps, app.clientId, s.pumpingPrefix, s.nowMs),
    deps.limits.countSend({
      clientId: app.clientId,
      phoneKey: limitKeyOf(deps.serverSecret, s.deviceType, s.destination.address),
      callingCode: s.destination.group,
      ipAddress: s.request.ipAddress,
    }),
  ]);
  if (guarded.status === 'rejected') {
    if (counted.status === 'fulfilled') {
      await deps.limits.refund(counted.value).catch(() => undefined);
    }
    throw guarded.reason;
  }
  if (counted.status === 'rejected') {
    throw counted.reason;
  }
  return counted.value;
}

interface NewCode {
  readonly request: IssueRequest;
  readonly deviceType: DeviceType;
  readonly destination: Destination;
  readonly userKey: string;
  readonly code: string;
  readonly nowMs: number;
  /** A test device's fixed code: nothing will be sent. */
  readonly test: boolean;
  readonly pumpingPrefix: string | undefined;
}

function newRecord(deps: OtpDeps, app: Application, c: NewCode): AuthRecord {
  const authId = newAuthId(c.userKey);
  return {
    authId,
    clientId: app.clientId,
    userKey: c.userKey,
    deviceType: c.deviceType,
    phoneMasked: c.destination.masked,
    callingCode: c.destination.group,
    country: c.destination.country,
    pumpingPrefix: c.pumpingPrefix,
    templateName: c.request.templateName,
    locale: c.request.locale,
    codeLength: app.codeLength,
    maxAttempts: app.maxAttempts,
    maxSends: app.maxSendsPerAuth,
    cooldownSeconds: app.resendCooldownSeconds,
    status: 'pending',
    attempts: 0,
    sends: 1,
    createdAtMs: c.nowMs,
    expiresAtMs: c.nowMs + app.otpTtlSeconds * 1000,
    nextResendAtMs: c.nowMs + app.resendCooldownSeconds * 1000,
    codeHash: hashCode(deps.serverSecret, authId, c.code).toString('hex'),
    sealed: deps.sealer.seal(authId, JSON.stringify({ code: c.code, to: c.destination.address })),
    ...(c.test ? { test: true as const } : {}),
  };
}
