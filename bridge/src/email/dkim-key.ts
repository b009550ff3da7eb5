// The DKIM key of an application's email domain: generated here (RSA 2048), kept sealed under a key
// derived from the server secret, opened only to hand to the reference API with a message.
import { generateKeyPairSync } from 'node:crypto';
import { z } from 'zod';
import { deriveKey, openText, sealText } from '@sms-mfa/common/aead';
import type { StoredDkimKey } from '../apps/application.js';

const SEAL_INFO = 'sms-mfa dkim keys v1';
/** Longest string in one TXT record string (RFC 1035 character-string). */
const TXT_STRING_LENGTH = 255;

/** A domain such as example.com, lower-cased. */
export const domainNameSchema = z
  .string()
  .regex(
    /^(?=.{1,253}$)(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z]{2,63}$/,
    'must be a domain name such as example.com',
  )
  .transform((v) => v.toLowerCase());

/** A DKIM selector: one DNS label such as s1 or mfa2026. */
export const dkimSelectorSchema = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i, 'must be one DNS label such as s1')
  .transform((v) => v.toLowerCase());

/** One DNS record to publish: its name, type and value, and why. */
export interface DnsRecord {
  readonly purpose: 'DKIM' | 'SPF' | 'DMARC';
  readonly name: string;
  readonly type: 'TXT';
  readonly value: string;
  readonly note?: string;
}

/** A new RSA 2048 DKIM key for `domain`, the private key sealed to this application, domain and selector. */
export function createDkimKey(
  serverSecret: Buffer,
  clientId: string,
  domain: string,
  selector: string,
  now: Date,
): StoredDkimKey {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const context = sealContext(clientId, domain, selector);
  return {
    domain,
    selector,
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    sealedPrivateKey: sealText(deriveKey(serverSecret, SEAL_INFO), context, pem),
    createdAt: now.toISOString(),
  };
}

/** The PEM private key (only ever in memory and in the request to the reference API). */
export function openDkimKey(serverSecret: Buffer, clientId: string, key: StoredDkimKey): string {
  const context = sealContext(clientId, key.domain, key.selector);
  return openText(deriveKey(serverSecret, SEAL_INFO), context, key.sealedPrivateKey);
}

/** The DKIM TXT record of a key: `<selector>._domainkey.<domain>`, `v=DKIM1; k=rsa; p=…`. */
export function dkimRecord(
  key: Pick<StoredDkimKey, 'domain' | 'selector' | 'publicKey'>,
): DnsRecord {
  return {
    purpose: 'DKIM',
    name: `${key.selector}._domainkey.${key.domain}`,
    type: 'TXT',
    value: `v=DKIM1; k=rsa; p=${key.publicKey}`,
  };
}

/** The three records to publish for a domain: DKIM (required), an SPF suggestion and a DMARC policy. */
export function emailDnsRecords(key: StoredDkimKey): DnsRecord[] {
  const { domain } = key;
  return [
    dkimRecord(key),
    {
      purpose: 'SPF',
      name: domain,
      type: 'TXT',
      value: 'v=spf1 include:<your relay> ~all',
      note: 'replace <your relay> with the SPF include of the SMTP relay or email provider the reference API sends through (e.g. sendgrid.net); a domain has one SPF record, so merge this into an existing one',
    },
    {
      purpose: 'DMARC',
      name: `_dmarc.${domain}`,
      type: 'TXT',
      value: `v=DMARC1; p=quarantine; rua=mailto:dmarc@${domain}`,
      note: `aggregate reports go to dmarc@${domain}; start with p=none to watch before quarantining`,
    },
  ];
}

/** A record as a zone-file line: the value quoted, split into strings of at most 255 characters. */
export function formatDnsRecord(record: DnsRecord): string {
  const strings: string[] = [];
  for (let i = 0; i < record.value.length; i += TXT_STRING_LENGTH) {
    strings.push(`"${record.value.slice(i, i + TXT_STRING_LENGTH)}"`);
  }
  return `${record.name} ${record.type} ${strings.join(' ')}`;
}

/** The key as the admin API shows it: never the private key. */
export function dkimView(key: StoredDkimKey): {
  domain: string;
  selector: string;
  createdAt: string;
  dnsRecord: DnsRecord;
} {
  return {
    domain: key.domain,
    selector: key.selector,
    createdAt: key.createdAt,
    dnsRecord: dkimRecord(key),
  };
}

function sealContext(clientId: string, domain: string, selector: string): string {
  return `${clientId}\0${domain}\0${selector}`;
}
