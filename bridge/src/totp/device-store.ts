import type { TotpDevice } from './totp-device.js';

/** The result of {@link DeviceStore.enrol}. */
export type EnrolOutcome =
  { readonly kind: 'enrolled' } | { readonly kind: 'limit_reached'; readonly limit: number };

/** The result of {@link DeviceStore.activate}: `dropped` means too many wrong codes ended the enrolment. */
export type ActivateOutcome =
  | { readonly kind: 'activated' }
  | { readonly kind: 'wrong_code'; readonly attemptsRemaining: number }
  | { readonly kind: 'dropped' | 'not_found' | 'already_active' };

/** How many devices a user may have and how long an enrolment waits for its first code. */
export interface DeviceLimits {
  readonly maxDevicesPerUser: number;
  readonly pendingTtlMs: number;
  /** Wrong codes at activation before the enrolment is dropped. */
  readonly maxActivationAttempts: number;
}

/**
 * Where authenticator devices live, per (application, userName) key. Each change is one atomic
 * operation that re-checks what it depends on: two enrolments cannot both take the last free place,
 * and a device is activated at most once. Sign-in steps are taken by the code store's verify script.
 */
export interface DeviceStore {
  /** Stores a pending device if the user has fewer than the limit (expired enrolments do not count). */
  enrol(device: TotpDevice, nowMs: number): Promise<EnrolOutcome>;
  get(userKey: string, deviceId: string): Promise<TotpDevice | undefined>;
  /** The user's devices, pending and active, oldest first. */
  list(userKey: string, nowMs: number): Promise<TotpDevice[]>;
  /** Activates a pending device when `step` is the step its first code matched; undefined counts a wrong code. */
  activate(
    device: Pick<TotpDevice, 'userKey' | 'deviceId' | 'clientId'>,
    step: number | undefined,
    nowMs: number,
  ): Promise<ActivateOutcome>;
  /** Removes a device; false when there was none. */
  remove(userKey: string, deviceId: string): Promise<boolean>;
  /** Removes every device of every user of an application (when it is deleted); how many there were. */
  removeAllOf(clientId: string): Promise<number>;
  readonly limits: DeviceLimits;
}
