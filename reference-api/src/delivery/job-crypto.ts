import { randomBytes } from 'node:crypto';
import { openText, sealText } from '@sms-mfa/common/aead';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Seals job data (JSON) with AES-256-GCM; the message id is bound in so blobs cannot be swapped. */
export function seal(key: Buffer, messageId: string, value: unknown): string {
  return sealText(key, messageId, JSON.stringify(value));
}

/** Opens a sealed job payload; throws if it was tampered with or sealed under another key. */
export function open<T>(key: Buffer, messageId: string, sealed: string): T {
  return JSON.parse(openText(key, messageId, sealed)) as T;
}

/**
 * The key from configuration, or on the embedded default one generated once and kept in
 * `<dataDir>/message-key` (mode 0600) so queued jobs survive a restart.
 */
export function loadOrCreateKey(
  configured: Buffer | undefined,
  keyFile: string,
): { key: Buffer; generated: boolean } {
  if (configured) {
    return { key: configured, generated: false };
  }
  if (existsSync(keyFile)) {
    return { key: Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'hex'), generated: false };
  }
  mkdirSync(dirname(keyFile), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(keyFile, key.toString('hex'), { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  return { key, generated: true };
}
