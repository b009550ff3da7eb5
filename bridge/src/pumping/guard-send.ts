// Where the code engine asks the SMS-pumping guard: before every send to a number (first send and
// resends) and after every validated code. Test devices and email are not guarded (nothing is paid
// per message to a premium range there).
import { CiamError } from '../errors.js';
import type { OtpDeps } from '../otp/otp-deps.js';
import type { Destination } from '../otp/device-target.js';
import { destinationPrefix } from './prefix-guard.js';

/** The prefix a send to `destination` is judged by, or undefined when it is not guarded. */
export function pumpingPrefixOf(
  deps: OtpDeps,
  destination: Destination,
  test: boolean,
): string | undefined {
  if (destination.kind !== 'phone' || test) {
    return undefined;
  }
  const digits = deps.pumping.settings.prefixDigits;
  return destinationPrefix(destination.address, destination.group, digits);
}

/** 403 PREFIX_QUARANTINED, with when it may be tried again. */
export function prefixQuarantined(prefix: string, retryAfterMs: number): CiamError {
  return new CiamError(
    'PREFIX_QUARANTINED',
    `Codes to numbers starting ${prefix} are paused for this application: too many were requested and too few entered`,
    { prefix },
    { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) },
  );
}

/** Counts a send to `prefix`, or refuses it when the prefix is (or has just been) quarantined. */
export async function guardSend(
  deps: OtpDeps,
  clientId: string,
  prefix: string | undefined,
  nowMs: number,
): Promise<void> {
  if (prefix === undefined) {
    return;
  }
  const verdict = await deps.pumping.beforeSend(clientId, prefix, nowMs);
  if (verdict.kind === 'allowed') {
    return;
  }
  if (verdict.trippedNow) {
    deps.logger.warn('destination prefix quarantined: many codes requested, few entered', {
      application: clientId,
      prefix,
      seconds: Math.round(verdict.retryAfterMs / 1000),
    });
    await deps.audit.record({
      type: 'prefix_quarantined',
      application: clientId,
      outcome: 'failure',
      reason: prefix,
    });
  }
  throw prefixQuarantined(prefix, verdict.retryAfterMs);
}
