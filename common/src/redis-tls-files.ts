// The PEM files a rediss:// connection may need, read once at config load so that a wrong path or
// a wrong file stops the service with one line before it ever connects: REDIS_TLS_CA_FILE (the
// private CA a self-hosted Redis' certificate is signed by), and REDIS_TLS_CERT_FILE with
// REDIS_TLS_KEY_FILE (the client certificate a Redis with `tls-auth-clients yes`, its default,
// asks for). A problem names the file, never its content: the key file holds a secret.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The client certificate (PEM, leaf first, with its chain) and its unencrypted private key (PEM). */
export interface RedisClientCertificate {
  readonly cert: string;
  readonly key: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;
// PKCS#8 (-----BEGIN ENCRYPTED PRIVATE KEY-----) or OpenSSL's traditional format
const ENCRYPTED_KEY = /-----BEGIN ENCRYPTED PRIVATE KEY-----|^Proc-Type: 4,ENCRYPTED$/m;
const CA_TO_DO = "give the PEM file of the CA that signed your Redis' certificate";
const CERT_TO_DO = 'give the PEM file of the client certificate your Redis accepts';
const KEY_TO_DO = 'give the unencrypted PEM private key of the certificate in REDIS_TLS_CERT_FILE';

/** The CA bundle in `file` (every PEM certificate in it), or why it cannot be used. */
export function readRedisCa(file: string): { pem: string } | { problem: string } {
  const read = readCertificates(file, CA_TO_DO);
  return 'problem' in read ? read : { pem: read.certificates.join('\n') };
}

/**
 * The client certificate in `certFile` and its key in `keyFile`, or why they cannot be used (each
 * problem prefixed with its variable's name).
 */
export function readRedisClientCertificate(
  certFile: string,
  keyFile: string,
): RedisClientCertificate | { problems: string[] } {
  const cert = readCertificates(certFile, CERT_TO_DO);
  const key = readKey(keyFile);
  const problems = [
    ...('problem' in cert ? [`REDIS_TLS_CERT_FILE: ${cert.problem}`] : []),
    ...('problem' in key ? [`REDIS_TLS_KEY_FILE: ${key.problem}`] : []),
  ];
  if ('problem' in cert || 'problem' in key) {
    return { problems };
  }
  const [leaf = ''] = cert.certificates;
  if (!new X509Certificate(leaf).checkPrivateKey(key.key)) {
    return {
      problems: [
        `REDIS_TLS_KEY_FILE: the key in ${keyFile} does not belong to the first certificate in ${certFile}: ${KEY_TO_DO}`,
      ],
    };
  }
  return {
    cert: cert.certificates.join('\n'),
    key: key.key.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

function readCertificates(
  file: string,
  toDo: string,
): { certificates: string[] } | { problem: string } {
  const text = readText(file, toDo);
  if (typeof text !== 'string') {
    return text;
  }
  const certificates = text.match(PEM_CERTIFICATE) ?? [];
  if (certificates.length === 0) {
    return { problem: `${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----): ${toDo}` };
  }
  if (!certificates.every(parses)) {
    return { problem: `${file} holds a certificate that does not parse: ${toDo}` };
  }
  return { certificates };
}

function readKey(file: string): { key: KeyObject } | { problem: string } {
  const text = readText(file, KEY_TO_DO);
  if (typeof text !== 'string') {
    return text;
  }
  try {
    return { key: createPrivateKey(text) };
  } catch {
    return {
      problem: ENCRYPTED_KEY.test(text)
        ? `${file} holds an encrypted private key: ${KEY_TO_DO} (openssl pkey -in ${file} -out plain.key)`
        : `${file} holds no PEM private key (-----BEGIN PRIVATE KEY-----): ${KEY_TO_DO}`,
    };
  }
}

function readText(file: string, toDo: string): string | { problem: string } {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { problem: `cannot read ${file} (${code}): ${toDo}` };
  }
}

function parses(pem: string): boolean {
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}
