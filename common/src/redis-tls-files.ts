// REDIS_TLS_CA_FILE: the private CA a self-hosted Redis' TLS certificate is signed by. Read once
// at config load, so a wrong path or a file that is not a PEM certificate stops the service with
// one line, before it ever connects.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;
const TO_DO = "give the PEM file of the CA that signed your Redis' certificate";

/** The CA bundle in `file` (every PEM certificate in it), or why it cannot be used. */
export function readRedisCa(file: string): { pem: string } | { problem: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return { problem: `cannot read ${file} (${code}): ${TO_DO}` };
  }
  const certificates = text.match(PEM_CERTIFICATE) ?? [];
  if (certificates.length === 0) {
    return { problem: `${file} holds no PEM certificate (-----BEGIN CERTIFICATE-----): ${TO_DO}` };
  }
  if (!certificates.every(parses)) {
    return { problem: `${file} holds a certificate that does not parse: ${TO_DO}` };
  }
  return { pem: certificates.join('\n') };
}

function parses(pem: string): boolean {
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}
