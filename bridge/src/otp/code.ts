import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { deriveKey, openText, sealText } from '@sms-mfa/common/aead';

/** Shortest and longest code an application may configure. */
export const CODE_LENGTH_RANGE = { min: 4, max: 10 } as const;

const DIGITS_ONLY = /^\d+$/;
const SEAL_INFO = 'sms-mfa otp seal v1';

/** A fresh code of `length` digits from the CSPRNG, zero-padded. */
export function generateCode(length: number): string {
  if (
    !Number.isInteger(length) ||
    length < CODE_LENGTH_RANGE.min ||
    length > CODE_LENGTH_RANGE.max
  ) {
    throw new TypeError(
      `code length must be ${CODE_LENGTH_RANGE.min}-${CODE_LENGTH_RANGE.max}, got ${length}`,
    );
  }
  // randomInt is uniform over [0, 10^length) (no modulo bias); 10^10 is below its 2^48 limit.
  return randomInt(0, 10 ** length)
    .toString()
    .padStart(length, '0');
}

/** True when `otp` has the shape of a code of `length` digits. */
export function hasCodeShape(otp: string, length: number): boolean {
  return otp.length === length && DIGITS_ONLY.test(otp);
}

/** HMAC-SHA256(serverSecret, authId ‖ code): what the store keeps instead of the code. authId is a fixed-length UUID, so the concatenation is unambiguous. */
export function hashCode(serverSecret: Buffer, authId: string, code: string): Buffer {
  return createHmac('sha256', serverSecret).update(authId).update(code).digest();
}

/** Constant-time equality of two code hashes (both are 32-byte digests; other lengths never match). */
export function hashesEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Seals and opens codes with AES-256-GCM so a resend can re-send the same code without storing it in clear. */
export class CodeSealer {
  readonly #key: Buffer;

  constructor(serverSecret: Buffer) {
    // A key of its own, so the HMAC key and the encryption key are never the same bytes.
    this.#key = deriveKey(serverSecret, SEAL_INFO);
  }

  /** Encrypts `plain` bound to `authId` (the AAD): a sealed value moved to another record will not open. */
  seal(authId: string, plain: string): string {
    return sealText(this.#key, authId, plain);
  }

  /** Decrypts a value from {@link seal}; throws if it was altered or belongs to another authId. */
  open(authId: string, sealed: string): string {
    return openText(this.#key, authId, sealed);
  }
}
