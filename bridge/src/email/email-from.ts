import { z } from 'zod';
import type { FieldIssue } from '@sms-mfa/common/app-error';
import { domainOf, normaliseAddress, parseMailbox } from '@sms-mfa/common/email-address';
import type { Application } from '../apps/application.js';

const CONTROL = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

/** `emailFrom`: `address` or `Name <address>`, one line, the address's domain lower-cased; null clears it. */
export const emailFromSchema = z
  .string()
  .max(320, 'must be at most 320 characters')
  .refine((v) => !CONTROL.test(v), 'must be one line without control characters')
  .transform((value, ctx) => {
    const mailbox = parseMailbox(value);
    if (!mailbox) {
      ctx.addIssue({ code: 'custom', message: 'must be an address or "Name <address>"' });
      return z.NEVER;
    }
    const address = normaliseAddress(mailbox.address);
    return mailbox.name ? `${mailbox.name} <${address}>` : address;
  })
  .nullable();

/** The domain of a sender mailbox. */
export function senderDomain(emailFrom: string): string {
  return domainOf(parseMailbox(emailFrom)?.address ?? emailFrom);
}

/** `emailFrom` at another domain than the application's DKIM key: every message would fail DMARC. */
export function emailFromProblems(app: Application): FieldIssue[] {
  if (!app.emailFrom || !app.emailDkim || senderDomain(app.emailFrom) === app.emailDkim.domain) {
    return [];
  }
  return [
    {
      field: 'emailFrom',
      message: `must be an address at ${app.emailDkim.domain}, the domain of the application’s DKIM key (npm run apps -- email-domain <clientId> --domain … --from … moves both)`,
    },
  ];
}
