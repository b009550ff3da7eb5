import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const VERSION = 'v1';

/** Seals job data with AES-256-GCM; the message id is bound in as associated data so blobs cannot be swapped. */
export function seal(key: Buffer, messageId: string, value: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(messageId));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return [
    VERSION,
    iv.toString('base64url'),
    cipher.getAuthTag().toString('base64url'),
    body.toString('base64url'),
  ].join('.');
}

/** Opens a sealed blob; throws if it was tampered with or sealed under another key. */
export function open<T>(key: Buffer, messageId: string, sealed: string): T {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || body === undefined)
    throw new TypeError('not a sealed job payload');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(messageId));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  const text = Buffer.concat([
    decipher.update(Buffer.from(body, 'base64url')),
    decipher.final(),
  ]).toString('utf8');
  return JSON.parse(text) as T;
}

/**
 * The key from configuration, or on the embedded default one generated once and kept in
 * `<dataDir>/message-key` (mode 0600) so queued jobs survive a restart.
 */
export function loadOrCreateKey(
  configured: Buffer | undefined,
  keyFile: string,
): { key: Buffer; generated: boolean } {
  if (configured) return { key: configured, generated: false };
  if (existsSync(keyFile))
    return { key: Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'hex'), generated: false };
  mkdirSync(dirname(keyFile), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(keyFile, key.toString('hex'), { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  return { key, generated: true };
}
