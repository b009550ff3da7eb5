// A throwaway certificate authority, and a server and a client certificate it signed, for TLS
// tests: what a self-hosted Redis with TLS usually has (a private CA no system trust store knows).
// A client certificate some other CA signed comes from a second call, in another directory.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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
  /** A client certificate (signed by the CA) and its key: REDIS_TLS_CERT_FILE, REDIS_TLS_KEY_FILE. */
  readonly clientCertFile: string;
  readonly clientKeyFile: string;
}

// Usable both ways: cluster nodes present the same certificate when they connect to each other.
const SERVER_EXTENSIONS = [
  'basicConstraints=CA:FALSE',
  'keyUsage=digitalSignature,keyEncipherment',
  'extendedKeyUsage=serverAuth,clientAuth',
  'subjectAltName=IP:127.0.0.1,DNS:localhost',
].join('\n');
const CLIENT_EXTENSIONS = [
  'basicConstraints=CA:FALSE',
  'keyUsage=digitalSignature',
  'extendedKeyUsage=clientAuth',
].join('\n');
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Writes a new CA, a server certificate for 127.0.0.1 and a client certificate into `dir` (one day, P-256 keys: quick to make). */
export async function makeTestCertificates(dir: string): Promise<TlsFiles> {
  const ca = { certFile: join(dir, 'ca.pem'), keyFile: join(dir, 'ca.key') };
  await openssl([
    ...['req', '-x509', ...EC_KEY, '-keyout', ca.keyFile, '-out', ca.certFile],
    ...['-days', '1', '-subj', '/CN=sms-mfa test CA'],
  ]);
  const [server, client] = await Promise.all([
    signed(dir, 'server', '/CN=127.0.0.1', SERVER_EXTENSIONS, ca),
    signed(dir, 'client', '/CN=sms-mfa test client', CLIENT_EXTENSIONS, ca),
  ]);
  return {
    caFile: ca.certFile,
    ...server,
    clientCertFile: client.certFile,
    clientKeyFile: client.keyFile,
  };
}

/** `<name>.pem` and `<name>.key` in `dir`: a new key and a certificate for it that `ca` signed. */
async function signed(
  dir: string,
  name: string,
  subject: string,
  extensions: string,
  ca: { readonly certFile: string; readonly keyFile: string },
): Promise<{ certFile: string; keyFile: string }> {
  const files = { certFile: join(dir, `${name}.pem`), keyFile: join(dir, `${name}.key`) };
  const [csr, extFile] = [join(dir, `${name}.csr`), join(dir, `${name}.ext`)];
  writeFileSync(extFile, `${extensions}\n`);
  await openssl([
    'req',
    '-new',
    ...EC_KEY,
    '-keyout',
    files.keyFile,
    '-out',
    csr,
    '-subj',
    subject,
  ]);
  await openssl([
    ...['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile],
    // a serial of its own: two certificates signed at once would race on -CAcreateserial's file
    ...['-set_serial', `0x${randomBytes(8).toString('hex')}`],
    ...['-out', files.certFile, '-days', '1', '-extfile', extFile],
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
