import { generateKeyPairSync } from 'node:crypto';

/** A DKIM key pair for tests: the PEM a request carries, and the TXT record a resolver would answer. */
export interface DkimTestKey {
  readonly privateKey: string;
  /** `v=DKIM1; k=rsa; p=<base64 SPKI>`, as published at `<selector>._domainkey.<domain>`. */
  readonly txtRecord: string;
}

/** A fresh RSA key (2048 bits, as DKIM deployments use) and its DNS record. */
export function dkimTestKey(): DkimTestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'der' },
  });
  return { privateKey, txtRecord: `v=DKIM1; k=rsa; p=${publicKey.toString('base64')}` };
}
