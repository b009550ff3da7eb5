// The `email` part of `POST /v1/messages`: who it is from, its subject, an optional HTML part and
// DKIM key. Every header value is refused with a line break in it (header injection).
import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { parseMailbox } from './mailbox.js';

/** Largest HTML part, in UTF-8 bytes. */
export const MAX_HTML_BYTES = 100 * 1024;
/** Longest subject, in characters. */
export const MAX_SUBJECT_LENGTH = 200;
/** Shortest RSA key nodemailer and receivers accept for DKIM (RFC 8301 asks for 1024 at least). */
export const MIN_RSA_BITS = 1024;

const ONE_LINE = /^[^\r\n]*$/;
const NO_CONTROL = /^[^\u0000-\u001F\u007F]*$/;
const SELECTOR =
  /^[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*$/;

/** True for an unencrypted PEM private key DKIM can sign with: RSA of at least 1024 bits, or Ed25519. */
export function isDkimSigningKey(pem: string): boolean {
  try {
    const key = createPrivateKey({ key: pem, format: 'pem' });
    if (key.asymmetricKeyType === 'ed25519') {
      return true;
    }
    return (
      key.asymmetricKeyType === 'rsa' &&
      (key.asymmetricKeyDetails?.modulusLength ?? 0) >= MIN_RSA_BITS
    );
  } catch {
    return false;
  }
}

/** A sender mailbox: `address` or `Name <address>`, on one line. */
export const mailboxSchema = z
  .string()
  .max(320, 'is too long')
  .regex(ONE_LINE, 'must be on one line (no CR or LF)')
  .refine((v) => parseMailbox(v) !== undefined, 'must be an address or "Name <address>"');

const subject = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_SUBJECT_LENGTH, `must be at most ${MAX_SUBJECT_LENGTH} characters`)
  .regex(ONE_LINE, 'must be on one line (no CR or LF)')
  .regex(NO_CONTROL, 'must not contain control characters');

const html = z
  .string()
  .min(1, 'must not be empty')
  .refine(
    (v) => Buffer.byteLength(v, 'utf8') <= MAX_HTML_BYTES,
    `must be at most ${MAX_HTML_BYTES / 1024} KiB`,
  );

const dkim = z.strictObject({
  domain: z.string().regex(z.regexes.domain, 'must be a domain name such as acme.example'),
  selector: z.string().max(253, 'is too long').regex(SELECTOR, 'must be a selector such as s1'),
  privateKey: z
    .string()
    .max(16_384, 'is too long')
    .refine(
      isDkimSigningKey,
      `must be an unencrypted PEM private key: RSA of at least ${MIN_RSA_BITS} bits, or Ed25519`,
    ),
});

/** `email` of `POST /v1/messages`; every field optional (from: EMAIL_FROM, subject: the template's). */
export const emailSchema = z.strictObject({
  from: mailboxSchema.optional(),
  subject: subject.optional(),
  html: html.optional(),
  dkim: dkim.optional(),
});

/** The `email` part as validated. */
export type EmailInput = z.output<typeof emailSchema>;
