// A throwaway certificate authority and a server certificate it signed, for TLS tests: what a
// self-hosted Redis with TLS usually has (a private CA no system trust store knows).
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PEM files made by {@link makeTestCertificates}. */
export interface TlsFiles {
  /** The CA's certificate: what REDIS_TLS_CA_FILE points at. */
  readonly caFile: string;
  /** The server's certificate (signed by the CA; for 127.0.0.1 and localhost) and its key. */
  readonly certFile: string;
  readonly keyFile: string;
}

// Usable both ways: cluster nodes present the same certificate when they connect to each other.
const SERVER_EXTENSIONS = [
  'basicConstraints=CA:FALSE',
  'keyUsage=digitalSignature,keyEncipherment',
  'extendedKeyUsage=serverAuth,clientAuth',
  'subjectAltName=IP:127.0.0.1,DNS:localhost',
].join('\n');

/** Writes a new CA and a server certificate for 127.0.0.1 into `dir` (one day, P-256 keys: quick to make). */
export async function makeTestCertificates(dir: string): Promise<TlsFiles> {
  const files = {
    caFile: join(dir, 'ca.pem'),
    certFile: join(dir, 'server.pem'),
    keyFile: join(dir, 'server.key'),
  };
  const caKey = join(dir, 'ca.key');
  const csr = join(dir, 'server.csr');
  const extensions = join(dir, 'server.ext');
  writeFileSync(extensions, `${SERVER_EXTENSIONS}\n`);
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await openssl([
    ...['req', '-x509', ...ecKey, '-keyout', caKey, '-out', files.caFile],
    ...['-days', '1', '-subj', '/CN=sms-mfa test CA'],
  ]);
  await openssl([
    ...['req', '-new', ...ecKey, '-keyout', files.keyFile, '-out', csr],
    ...['-subj', '/CN=127.0.0.1'],
  ]);
  await openssl([
    ...['x509', '-req', '-in', csr, '-CA', files.caFile, '-CAkey', caKey, '-CAcreateserial'],
    ...['-out', files.certFile, '-days', '1', '-extfile', extensions],
  ]);
  return files;
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        'openssl not found: install it (`apt-get install openssl`) to run the Redis TLS tests',
      );
    }
    throw err;
  }
}
