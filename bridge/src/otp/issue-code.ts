import { randomUUID } from 'node:crypto';
import { maskPhone } from '@sms-mfa/common/mask';
import type { NormalisedPhone } from '@sms-mfa/common/phone';
import type { Application, DeviceType } from '../apps/application.js';
import { chooseTemplate } from '../apps/templates.js';
import type { AuthRecord } from './auth-record.js';
import { generateCode, hashCode } from './code.js';
import { deliverCode } from './deliver-code.js';
import { allowedPhone, sendableDeviceType } from './device-target.js';
import type { OtpDeps } from './otp-deps.js';
import { userMustWait } from './otp-errors.js';
import { pseudonym, userKeyOf } from './pseudonym.js';

/** A request for a code, as the CIAM API takes it (already checked for shape). */
export interface IssueRequest {
  readonly userName: string;
  readonly phoneNumber: string;
  readonly deviceType: string;
  readonly templateName?: string | undefined;
  readonly locale?: string | undefined;
  /** The end user's IP, when the caller passes it, for the per-IP limit. */
  readonly ipAddress?: string | undefined;
}

/**
 * Sends a new code: refuse what cannot be sent (device type, number, country, template) before
 * counting anything, refuse a user inside a wait, count the send against the limits, store the
 * code's HMAC, send it — and if the send fails, delete the record and give the counts back.
 */
export async function issueCode(
  deps: OtpDeps,
  app: Application,
  request: IssueRequest,
): Promise<{ authId: string }> {
  const deviceType = sendableDeviceType(app, request.deviceType);
  const phone = allowedPhone(app, request.phoneNumber);
  chooseTemplate(app, { deviceType, locale: request.locale, templateName: request.templateName });
  const userKey = userKeyOf(deps.serverSecret, app.clientId, request.userName);
  const nowMs = deps.now();
  await refuseWhileUserWaits(deps, app, userKey, phone, nowMs);
  const hits = await deps.limits.countSend({
    clientId: app.clientId,
    phoneKey: pseudonym(deps.serverSecret, 'phone', phone.e164),
    callingCode: phone.callingCode,
    ipAddress: request.ipAddress,
  });
  const code = generateCode(app.codeLength);
  const record = newRecord(deps, app, { request, deviceType, phone, userKey, code, nowMs });
  await deps.store.create(record, nowMs);
  await deps.audit.record({
    type: 'issued',
    application: app.clientId,
    authId: record.authId,
    phone: record.phoneMasked,
    outcome: 'success',
  });
  const undo = async () => {
    await deps.store.remove(record.authId);
    await deps.limits.refund(hits);
  };
  await deliverCode(deps, { app, record, code, phone: phone.e164, nowMs, undo });
  deps.metrics.count('issued', app.clientId, record.country);
  return { authId: record.authId };
}

async function refuseWhileUserWaits(
  deps: OtpDeps,
  app: Application,
  userKey: string,
  phone: NormalisedPhone,
  nowMs: number,
): Promise<void> {
  const waitMs = await deps.store.userWaitMs(userKey, nowMs);
  if (waitMs === 0) {
    return;
  }
  await deps.audit.record({
    type: 'rate_limited',
    application: app.clientId,
    phone: phone.e164,
    outcome: 'failure',
    reason: 'user_wait',
  });
  throw userMustWait(waitMs);
}

interface NewCode {
  readonly request: IssueRequest;
  readonly deviceType: DeviceType;
  readonly phone: NormalisedPhone;
  readonly userKey: string;
  readonly code: string;
  readonly nowMs: number;
}

function newRecord(deps: OtpDeps, app: Application, c: NewCode): AuthRecord {
  const authId = randomUUID();
  return {
    authId,
    clientId: app.clientId,
    userKey: c.userKey,
    deviceType: c.deviceType,
    phoneMasked: maskPhone(c.phone.e164),
    callingCode: c.phone.callingCode,
    country: c.phone.country,
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
    sealed: deps.sealer.seal(authId, JSON.stringify({ code: c.code, phone: c.phone.e164 })),
  };
}
