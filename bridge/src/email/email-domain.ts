import { z } from 'zod';
import { parseInput } from '../apps/application-input.js';
import type { ApplicationStore } from '../apps/application-store.js';
import type { Application } from '../apps/application.js';
import { required } from '../apps/test-devices.js';
import { CiamError } from '../errors.js';
import {
  createDkimKey,
  dkimSelectorSchema,
  emailDnsRecords,
  domainNameSchema,
  type DnsRecord,
} from './dkim-key.js';
import { emailFromSchema, senderDomain } from './email-from.js';

/** Body of `POST /admin/v1/applications/{clientId}/email-domain` (and `apps email-domain`). */
export const emailDomainInputSchema = z.strictObject({
  domain: domainNameSchema,
  selector: dkimSelectorSchema.default('s1'),
  emailFrom: emailFromSchema.unwrap().optional(),
});

/** The application with its new DKIM key, and the DNS records to publish for it. */
export interface EmailDomainResult {
  readonly application: Application;
  readonly records: DnsRecord[];
}

/**
 * Gives an application a new DKIM key (RSA 2048, sealed) for its email domain, and with `emailFrom`
 * a new sender there too; refuses a domain other than that of the sender it keeps. Undefined when
 * no such application. The old key, if any, is replaced: publish the new record before sending.
 */
export async function setEmailDomain(
  apps: ApplicationStore,
  serverSecret: Buffer | undefined,
  clientId: string,
  input: z.input<typeof emailDomainInputSchema>,
): Promise<EmailDomainResult | undefined> {
  const { domain, selector, emailFrom } = parseInput(emailDomainInputSchema, input);
  if (emailFrom && senderDomain(emailFrom) !== domain) {
    throw refused('emailFrom', `must be an address at ${domain}`);
  }
  const key = createDkimKey(required(serverSecret), clientId, domain, selector, new Date());
  const application = await apps.change(clientId, (current) => {
    if (!emailFrom && current.emailFrom && senderDomain(current.emailFrom) !== domain) {
      throw refused(
        'domain',
        `is not the domain of the application’s emailFrom (${current.emailFrom}); give a new emailFrom at ${domain} with it`,
      );
    }
    return { emailDkim: key, ...(emailFrom ? { emailFrom } : {}) };
  });
  return application && { application, records: emailDnsRecords(key) };
}

function refused(field: string, message: string): CiamError {
  return new CiamError('INVALID_REQUEST', `invalid ${field}`, { details: [{ field, message }] });
}
