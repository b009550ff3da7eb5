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
  await refuseWhileUserWaits(deps, app, userKey, destination, nowMs);
  const { code, test } = codeFor(deps, app, destination);
  if (!test) {
    await deps.budget.refuseWhenSpent(app, nowMs);
  }
  const pumpingPrefix = pumpingPrefixOf(deps, destination, test);
  await guardSend(deps, app.clientId, pumpingPrefix, nowMs);
  const hits = await deps.limits.countSend({
    clientId: app.clientId,
    phoneKey: limitKeyOf(deps.serverSecret, deviceType, destination.address),
    callingCode: destination.group,
    ipAddress: request.ipAddress,
  });
  const fields = { request, deviceType, destination, userKey, code, test, pumpingPrefix, nowMs };
  const record = newRecord(deps, app, fields);
  await deps.store.create(record, nowMs);
  await deps.audit.record({
    type: 'issued',
    application: app.clientId,
    authId: record.authId,
    phone: record.phoneMasked,
    outcome: 'success',
    test: record.test,
  });
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

async function refuseWhileUserWaits(
  deps: OtpDeps,
  app: Application,
  userKey: string,
  destination: Destination,
  nowMs: number,
): Promise<void> {
  const waitMs = await deps.store.userWaitMs(userKey, nowMs);
  if (waitMs === 0) {
    return;
  }
  await deps.audit.record({
    type: 'rate_limited',
    application: app.clientId,
    phone: destination.masked,
    outcome: 'failure',
    reason: 'user_wait',
  });
  throw userMustWait(waitMs);
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
