// SendGrid's Signed Event Webhook: SendGrid signs `timestamp + raw body` with ECDSA P-256 over
// SHA-256 and sends the DER signature in base64 (X-Twilio-Email-Event-Webhook-Signature) beside the
// timestamp (X-Twilio-Email-Event-Webhook-Timestamp). The verification key is shown in the
// SendGrid console as base64 DER (SubjectPublicKeyInfo), without PEM framing.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** The headers SendGrid signs a batch with (lower-case, as Node gives them). */
export const SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

/** Reads the key as SendGrid shows it (base64 DER), or a PEM; throws if it is neither an EC P-256 key. */
export function sendGridPublicKey(value: string): KeyObject {
  const key = value.includes('-----BEGIN')
    ? createPublicKey(value)
    : createPublicKey({ key: Buffer.from(value.trim(), 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new TypeError('not an EC P-256 public key');
  }
  return key;
}

/** True when `value` reads as SendGrid's verification key. */
export function isSendGridPublicKey(value: string): boolean {
  try {
    sendGridPublicKey(value);
    return true;
  } catch {
    return false;
  }
}

/** True when `signature` (base64 DER) is SendGrid's signature of `timestamp + rawBody` under `key`. */
export function verifySendGridSignature(
  key: KeyObject,
  timestamp: string,
  rawBody: Buffer,
  signature: string,
): boolean {
  try {
    const signed = Buffer.concat([Buffer.from(timestamp, 'utf8'), rawBody]);
    return verify('sha256', signed, key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}
