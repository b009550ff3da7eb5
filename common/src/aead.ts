import { createCipheriv, createDecipheriv, hkdfSync, randomFillSync } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;

// Random IVs are drawn from a pool refilled 256 at a time (as node's randomUUID does): a random
// draw per seal costs more than the AES itself on the request path.
const ivPool = Buffer.alloc(IV_BYTES * 256);
let ivOffset = ivPool.length;

function randomIv(): Buffer {
  if (ivOffset === ivPool.length) {
    randomFillSync(ivPool);
    ivOffset = 0;
  }
  const iv = Buffer.from(ivPool.subarray(ivOffset, ivOffset + IV_BYTES));
  ivOffset += IV_BYTES;
  return iv;
}

/** Derives a 32-byte key for one purpose from a secret, so no two uses share key bytes. */
export function deriveKey(secret: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), purpose, 32));
}

/**
 * Encrypts `plain` with AES-256-GCM under `key`, bound to `context` (associated data: a sealed value
 * copied to another record does not open). Returns `v1.<iv>.<tag>.<ciphertext>` in base64url.
 */
export function sealText(key: Buffer, context: string, plain: string): string {
  const iv = randomIv();
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [
    VERSION,
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    body.toString('base64url'),
  ].join('.');
}

/** Opens a value from {@link sealText}; throws if it was altered, sealed under another key or for another context. */
export function openText(key: Buffer, context: string, sealed: string): string {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined) {
    throw new TypeError('not a sealed value');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(context));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([
    decipher.update(Buffer.from(body, 'base64url')),
    decipher.final(),
  ]).toString('utf8');
}
