import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the embedded default keeps its generated server secret. */
export function serverSecretFile(dataDir: string): string {
  return join(dataDir, 'bridge-secret');
}

/** BRIDGE_SECRET, or the embedded default's existing file; never creates one (tools must not fork the secret). */
export function readServerSecret(
  configured: string | undefined,
  dataDir: string,
): Buffer | undefined {
  if (configured) {
    return Buffer.from(configured, 'utf8');
  }
  const file = serverSecretFile(dataDir);
  return existsSync(file) ? Buffer.from(readFileSync(file, 'utf8').trim(), 'hex') : undefined;
}

/**
 * BRIDGE_SECRET when configured; on the embedded default a random one generated once and kept in
 * `<dataDir>/bridge-secret` (mode 0600), so code hashes and sealed signing keys survive a restart.
 * `generated` tells the caller to warn that production needs a shared, configured secret.
 */
export function loadOrCreateServerSecret(
  configured: string | undefined,
  dataDir: string,
): { secret: Buffer; generated: boolean } {
  if (configured) {
    return { secret: Buffer.from(configured, 'utf8'), generated: false };
  }
  const file = serverSecretFile(dataDir);
  if (existsSync(file)) {
    return { secret: Buffer.from(readFileSync(file, 'utf8').trim(), 'hex'), generated: false };
  }
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(32);
  // `wx` fails if another process created it meanwhile; then theirs wins and we read it.
  try {
    writeFileSync(file, secret.toString('hex'), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw err;
    }
    return { secret: Buffer.from(readFileSync(file, 'utf8').trim(), 'hex'), generated: false };
  }
  chmodSync(file, 0o600);
  return { secret, generated: true };
}
