import { createHmac } from 'node:crypto';

/**
 * A stable, keyed stand-in for an identifier (a userName, a phone number) in Redis keys: an
 * unkeyed hash of a phone number is reversed by trying every number, a keyed one is not.
 */
export function pseudonym(serverSecret: Buffer, kind: string, ...parts: readonly string[]): string {
  const mac = createHmac('sha256', serverSecret).update(`pseudonym:${kind}`);
  for (const part of parts) {
    mac.update('\0').update(part);
  }
  return mac.digest('base64url').slice(0, 27);
}

/** The key of a user's failure count: userNames compare case-insensitively, like most identity servers. */
export function userKeyOf(serverSecret: Buffer, clientId: string, userName: string): string {
  return pseudonym(serverSecret, 'user', clientId, userName.normalize('NFKC').toLowerCase());
}
