import type { TotpParams } from './totp-settings.js';

/** Where a device is in its life: enrolled and waiting for its first code, or usable at sign-in. */
export type DeviceStatus = 'ACTIVATION_REQUIRED' | 'ACTIVE';

/** One authenticator app of one user of one application, as the device store keeps it. Never holds the secret in clear. */
export interface TotpDevice extends TotpParams {
  readonly deviceId: string;
  readonly clientId: string;
  /** Opaque key of (application, userName), the same as the SMS failure count's (otp/pseudonym.ts). */
  readonly userKey: string;
  readonly type: 'TOTP';
  readonly status: DeviceStatus;
  /** The base32 secret sealed with AES-256-GCM under the server secret, bound to the device. */
  readonly sealedSecret: string;
  readonly createdAtMs: number;
  /** 0 until activated. */
  readonly activatedAtMs: number;
  /** The highest time step accepted so far (-1 before the first); no code of it or an earlier step is taken again. */
  readonly lastUsedStep: number;
  /** When a code of it was last accepted at sign-in; 0 before. */
  readonly lastUsedAtMs: number;
  /** Wrong codes at activation; too many and the enrolment is dropped. */
  readonly activationAttempts: number;
}
