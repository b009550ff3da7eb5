import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';

const VERSION = 'v1';
const INFO = 'sms-mfa issuer signing keys v1';

/** Thrown when a sealed key cannot be opened: tampered with, or sealed under another server secret. */
export class KeySealError extends Error {
  override readonly name = 'KeySealError';
  constructor() {
    super(
      'cannot open the signing key: BRIDGE_SECRET differs from the one the keys were sealed with (or the record was altered)',
    );
  }
}

/** A key for sealing private JWKs, derived from the server secret so the secret itself is never used twice. */
export function sealingKey(serverSecret: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', serverSecret, Buffer.alloc(0), INFO, 32));
}

/** Seals a private JWK with AES-256-GCM; the kid is bound in so records cannot be swapped. */
export function sealJwk(key: Buffer, kid: string, jwk: JWK): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(kid));
  const body = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
  return [
    VERSION,
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    body.toString('base64url'),
  ].join('.');
}

/** Opens a sealed private JWK; throws {@link KeySealError} when it does not authenticate. */
export function openJwk(key: Buffer, kid: string, sealed: string): JWK {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined) throw new KeySealError();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(kid));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return JSON.parse(
      Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString(
        'utf8',
      ),
    ) as JWK;
  } catch {
    throw new KeySealError();
  }
}
