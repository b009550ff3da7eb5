// Email addresses and mailboxes as both services take them. The address syntax is HTML's "valid
// e-mail address" (a deliberate, practical subset of RFC 5322, the one browsers check), at most 254
// characters (RFC 5321's path limit less the angle brackets). No MX lookup: syntax only.

/** Longest address we accept. */
export const MAX_ADDRESS_LENGTH = 254;

const ADDRESS =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

// `Name <address>`; the name may be quoted. CR and LF never match, so no header can be smuggled in.
const NAMED = /^\s*(?:"([^"\r\n]*)"|([^"<>\r\n]*?))\s*<([^<>\s]+)>\s*$/;

/** A parsed mailbox: the address, and the display name when it had one. */
export interface Mailbox {
  readonly address: string;
  readonly name: string | undefined;
}

/** Thrown by {@link normaliseEmail} for input that is not an address; the message says why. */
export class InvalidEmailError extends Error {
  override readonly name = 'InvalidEmailError';
}

/** True for an address of the accepted syntax and length. */
export function isEmailAddress(value: string): boolean {
  return value.length <= MAX_ADDRESS_LENGTH && ADDRESS.test(value);
}

/** Reads `address` or `Name <address>`; undefined when it is neither (or holds a line break). */
export function parseMailbox(value: string): Mailbox | undefined {
  if (/[\r\n]/.test(value)) {
    return undefined;
  }
  const trimmed = value.trim();
  if (isEmailAddress(trimmed)) {
    return { address: trimmed, name: undefined };
  }
  const match = NAMED.exec(value);
  const address = match?.[3];
  if (!match || !address || !isEmailAddress(address)) {
    return undefined;
  }
  const name = (match[1] ?? match[2] ?? '').trim();
  return { address, name: name || undefined };
}

/** The domain of an address, lower-cased. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** An address with its domain lower-cased (the local part is the receiving server's business). */
export function normaliseAddress(address: string): string {
  const at = address.lastIndexOf('@');
  return `${address.slice(0, at)}@${address.slice(at + 1).toLowerCase()}`;
}

/** The address trimmed and with its domain lower-cased; throws {@link InvalidEmailError} when it is not one. */
export function normaliseEmail(input: string): string {
  const trimmed = input.trim();
  if (trimmed.length > MAX_ADDRESS_LENGTH) {
    throw new InvalidEmailError(`must be at most ${MAX_ADDRESS_LENGTH} characters`);
  }
  if (!isEmailAddress(trimmed)) {
    throw new InvalidEmailError('must be an email address such as jane@example.com');
  }
  return normaliseAddress(trimmed);
}
