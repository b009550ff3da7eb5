import { timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, TOTP } from 'otpauth';
import type { TotpAlgorithm, TotpParams } from './totp-settings.js';

/** Steps either side of the current one that are still accepted (RFC 6238 §5.2: at most one step of network delay). */
export const TOTP_WINDOW_STEPS = 1;

// RFC 4226 R6 asks for at least 128 bits; RFC 6238's reference code keys each HMAC with its own output size.
const SECRET_BYTES: Readonly<Record<TotpAlgorithm, number>> = { SHA1: 20, SHA256: 32, SHA512: 64 };

/** A fresh shared secret from the CSPRNG, base32 (what authenticator apps read). */
export function newTotpSecret(algorithm: TotpAlgorithm): string {
  return new Secret({ size: SECRET_BYTES[algorithm] }).base32;
}

/** The time step (RFC 6238's T) that `nowMs` falls in. */
export function stepAt(nowMs: number, periodSeconds: number): number {
  return Math.floor(nowMs / 1000 / periodSeconds);
}

/** The code of `secret` (base32) at time step `step`. */
export function totpCode(secret: string, params: TotpParams, step: number): string {
  return HOTP.generate({
    secret: Secret.fromBase32(secret),
    algorithm: params.algorithm,
    digits: params.digits,
    counter: step,
  });
}

/**
 * The highest time step within one step of `nowMs` whose code is `otp`, or undefined. Every step is
 * computed and compared in constant time, so the time taken says nothing about which one matched.
 */
export function matchingStep(
  secret: string,
  params: TotpParams,
  otp: string,
  nowMs: number,
): number | undefined {
  const now = stepAt(nowMs, params.period);
  let found: number | undefined;
  for (let step = now - TOTP_WINDOW_STEPS; step <= now + TOTP_WINDOW_STEPS; step++) {
    if (sameCode(totpCode(secret, params, step), otp)) {
      found = step;
    }
  }
  return found;
}

/** The `otpauth://totp/...` URI an authenticator app reads from the QR code (Key Uri Format). */
export function otpauthUri(issuer: string, account: string, secret: string, p: TotpParams): string {
  return new TOTP({
    issuer,
    label: account,
    secret: Secret.fromBase32(secret),
    algorithm: p.algorithm,
    digits: p.digits,
    period: p.period,
  }).toString();
}

function sameCode(expected: string, candidate: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(candidate);
  // timingSafeEqual throws on unequal lengths (hectorm/otpauth#13); the length is no secret.
  return a.length === b.length && timingSafeEqual(a, b);
}
