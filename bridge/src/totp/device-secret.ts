import type { CodeSealer } from '../otp/code.js';

// Bound into the AAD: a sealed secret moved to another device (or to an authentication) will not open.
const context = (deviceId: string) => `totp-device:${deviceId}`;

/** Seals a device's base32 secret with AES-256-GCM under the server secret, as codes are sealed. */
export function sealSecret(sealer: CodeSealer, deviceId: string, secret: string): string {
  return sealer.seal(context(deviceId), secret);
}

/** Opens a secret from {@link sealSecret}; throws if it was altered or belongs to another device. */
export function openSecret(sealer: CodeSealer, deviceId: string, sealed: string): string {
  return sealer.open(context(deviceId), sealed);
}
