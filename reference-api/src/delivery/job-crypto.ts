import { randomBytes } from 'node:crypto';
import { openText, sealText } from '@sms-mfa/common/aead';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
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
    return { key: readKey(keyFile), generated: false };
  }
  mkdirSync(dirname(keyFile), { recursive: true });
  const key = randomBytes(32);
  // The API, its worker and the bridge may all start at once on a fresh data directory: the key is
  // written whole to a file of its own, then linked into place, which only the first can do; the
  // others read the winner's key, never a half-written file or a key of their own.
  const draft = `${keyFile}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(draft, key.toString('hex'), { mode: 0o600 });
  chmodSync(draft, 0o600);
  try {
    linkSync(draft, keyFile);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw err;
    }
    return { key: readKey(keyFile), generated: false };
  } finally {
    rmSync(draft, { force: true });
  }
  return { key, generated: true };
}

function readKey(keyFile: string): Buffer {
  return Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'hex');
}
