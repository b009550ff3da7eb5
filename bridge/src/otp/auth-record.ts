import type { DeviceType } from '../apps/application.js';

/** Where an authentication is in its life, as stored. Expiry is not stored: it is read from the clock. */
export type StoredStatus = 'pending' | 'approved' | 'canceled' | 'locked';

/** What callers see: the stored status with expiry applied at the time of asking. */
export type PublicStatus = 'pending' | 'approved' | 'expired' | 'max_attempts_reached' | 'canceled';

/** One authentication (one code sent to one phone), as the code store keeps it. Never holds the code in clear. */
export interface AuthRecord {
  readonly authId: string;
  /** The application that created it; every other application sees 404. */
  readonly clientId: string;
  /** Opaque key of (application, userName) for the per-user failure count. */
  readonly userKey: string;
  readonly deviceType: DeviceType;
  /** The masked destination: `+91******212`, or `j•••@example.com` for EMAIL. */
  readonly phoneMasked: string;
  /** What the per-prefix limit counts: the number's calling code, or `@domain` for EMAIL. */
  readonly callingCode: string;
  /** ISO 3166 alpha-2 of the number, for the code counters; absent without a phone (or when unknown). */
  readonly country?: string | undefined;
  readonly templateName: string | undefined;
  readonly locale: string | undefined;
  /** The application's settings when the code was issued: later changes do not move a live code. */
  readonly codeLength: number;
  readonly maxAttempts: number;
  readonly maxSends: number;
  readonly cooldownSeconds: number;
  readonly status: StoredStatus;
  readonly attempts: number;
  readonly sends: number;
  readonly createdAtMs: number;
  readonly expiresAtMs: number;
  readonly nextResendAtMs: number;
  /** HMAC of the code, hex; gone once the authentication is finished. */
  readonly codeHash: string | undefined;
  /** `{code, to}` sealed with AES-256-GCM, for resends; gone once finished. */
  readonly sealed: string | undefined;
  /** The destination prefix the SMS-pumping guard counts its sends and validation under; absent when unguarded. */
  readonly pumpingPrefix?: string | undefined;
  /** A test device's: its fixed code, nothing sent; absent for a live one. */
  readonly test?: true | undefined;
}

/** The status a caller sees at `nowMs`. */
export function publicStatus(record: AuthRecord, nowMs: number): PublicStatus {
  if (record.status === 'approved') {
    return 'approved';
  }
  if (record.status === 'canceled') {
    return 'canceled';
  }
  if (record.status === 'locked') {
    return 'max_attempts_reached';
  }
  return nowMs >= record.expiresAtMs ? 'expired' : 'pending';
}
