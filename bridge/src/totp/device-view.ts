import type { DeviceStatus, TotpDevice } from './totp-device.js';
import type { TotpAlgorithm } from './totp-settings.js';

/** A device as the API shows it: never its secret. */
export interface DeviceView {
  readonly deviceId: string;
  readonly deviceType: 'TOTP';
  readonly status: DeviceStatus;
  readonly algorithm: TotpAlgorithm;
  readonly digits: number;
  readonly period: number;
  readonly createdAt: string;
  readonly activatedAt: string | null;
  readonly lastUsedAt: string | null;
  /** When a pending enrolment is dropped unless activated; null once active. */
  readonly expiresAt: string | null;
}

const iso = (ms: number) => (ms > 0 ? new Date(ms).toISOString() : null);

/** The public view of `device`; `pendingTtlMs` dates a pending one's expiry. */
export function deviceView(device: TotpDevice, pendingTtlMs: number): DeviceView {
  const pending = device.status === 'ACTIVATION_REQUIRED';
  return {
    deviceId: device.deviceId,
    deviceType: 'TOTP',
    status: device.status,
    algorithm: device.algorithm,
    digits: device.digits,
    period: device.period,
    createdAt: new Date(device.createdAtMs).toISOString(),
    activatedAt: iso(device.activatedAtMs),
    lastUsedAt: iso(device.lastUsedAtMs),
    expiresAt: pending ? iso(device.createdAtMs + pendingTtlMs) : null,
  };
}
