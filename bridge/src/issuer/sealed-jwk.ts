import { deriveKey, openText, sealText } from '@sms-mfa/common/aead';
import type { JWK } from 'jose';

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
  return deriveKey(serverSecret, INFO);
}

/** Seals a private JWK with AES-256-GCM; the kid is bound in so records cannot be swapped. */
export function sealJwk(key: Buffer, kid: string, jwk: JWK): string {
  return sealText(key, kid, JSON.stringify(jwk));
}

/** Opens a sealed private JWK; throws {@link KeySealError} when it does not authenticate. */
export function openJwk(key: Buffer, kid: string, sealed: string): JWK {
  try {
    return JSON.parse(openText(key, kid, sealed)) as JWK;
  } catch {
    throw new KeySealError();
  }
}
