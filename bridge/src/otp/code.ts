import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  randomInt,
  timingSafeEqual,
} from 'node:crypto';

/** Shortest and longest code an application may configure. */
export const CODE_LENGTH_RANGE = { min: 4, max: 10 } as const;

const DIGITS_ONLY = /^\d+$/;
const SEAL_INFO = 'sms-mfa otp seal v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

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
    this.#key = Buffer.from(hkdfSync('sha256', serverSecret, Buffer.alloc(0), SEAL_INFO, 32));
  }

  /** Encrypts `plain` bound to `authId` (the AAD): a sealed value moved to another record will not open. */
  seal(authId: string, plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv).setAAD(Buffer.from(authId));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** Decrypts a value from {@link seal}; throws if it was altered or belongs to another authId. */
  open(authId: string, sealed: string): string {
    const raw = Buffer.from(sealed, 'base64url');
    const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES)).setAAD(
      Buffer.from(authId),
    );
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([
      decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8');
  }
}
