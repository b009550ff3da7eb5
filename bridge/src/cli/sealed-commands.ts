// `npm run apps -- email-domain …` and `… test-device …`: an application's DKIM key and its test
// devices, which need the server secret (both are stored sealed).
import { putTestDevice, removeTestDevice } from '../apps/test-device-edits.js';
import type { ApplicationStore } from '../apps/application-store.js';
import { formatDnsRecord } from '../email/dkim-key.js';
import { setEmailDomain } from '../email/email-domain.js';

/** Usage lines of these commands, for the CLI's help. */
export const SEALED_USAGE = `  email-domain <clientId> --domain example.com [--selector s1] [--from "Acme <no-reply@example.com>"]
                                      a new DKIM key for the application's email domain (stored
                                      sealed); prints the DKIM, SPF and DMARC records to publish
  test-device <clientId> (--phone <number> | --email <address>) --code <digits>
                                      a test number or address: nothing is sent, the fixed code
                                      validates (needs --allow-test-devices true on the application)
  test-device <clientId> (--phone <number> | --email <address>) --remove`;

/** The flags these commands read. */
export const SEALED_OPTIONS = {
  domain: { type: 'string' },
  selector: { type: 'string' },
  from: { type: 'string' },
  phone: { type: 'string' },
  email: { type: 'string' },
  code: { type: 'string' },
  remove: { type: 'boolean' },
} as const;

/** What these commands are run with. */
export interface SealedCommandContext {
  readonly apps: ApplicationStore;
  readonly serverSecret: Buffer | undefined;
  readonly flags: {
    readonly [
      K in keyof typeof SEALED_OPTIONS
    ]?: (typeof SEALED_OPTIONS)[K]['type'] extends 'boolean' ? boolean : string;
  } & { readonly json?: boolean | undefined };
  readonly target: string | undefined;
  readonly print: (text: string) => void;
}

/** `email-domain` and `test-device`. */
export const SEALED_COMMANDS: Record<string, (ctx: SealedCommandContext) => Promise<void>> = {
  async 'email-domain'({ apps, serverSecret, flags, target, print }) {
    const clientId = named(target);
    const result = found(
      await setEmailDomain(apps, serverSecret, clientId, {
        domain: flags.domain ?? '',
        ...(flags.selector ? { selector: flags.selector } : {}),
        ...(flags.from ? { emailFrom: flags.from } : {}),
      }),
      clientId,
    );
    if (flags.json) {
      return print(JSON.stringify({ clientId, dnsRecords: result.records }, null, 2));
    }
    const { emailDkim, emailFrom } = result.application;
    print(
      `New DKIM key for ${emailDkim?.domain} (selector ${emailDkim?.selector}) of ${clientId}, stored sealed.\n` +
        `Every email is signed with it from now on${emailFrom ? ` and sent as ${emailFrom}` : '; set emailFrom (an address at this domain) to send'}.\n` +
        'Publish these DNS records:\n',
    );
    for (const record of result.records) {
      print(
        `${record.purpose}:\n  ${formatDnsRecord(record)}${record.note ? `\n  (${record.note})` : ''}\n`,
      );
    }
  },
  async 'test-device'({ apps, serverSecret, flags, target, print }) {
    const clientId = named(target);
    const device = flags.phone ?? flags.email;
    if (!device || (flags.phone && flags.email)) {
      throw new Error('name one device: --phone <number> or --email <address>');
    }
    if (flags.remove) {
      const { removed } = found(await removeTestDevice(apps, clientId, device), clientId);
      return print(removed ? `removed test device ${device}` : `${device} was not a test device`);
    }
    const input = flags.phone ? { phoneNumber: flags.phone } : { email: flags.email };
    found(
      await putTestDevice(apps, serverSecret, clientId, { ...input, code: flags.code ?? '' }),
      clientId,
    );
    print(`test device ${device} of ${clientId}: nothing is sent to it, its fixed code validates`);
  },
};

function named(target: string | undefined): string {
  if (!target) {
    throw new Error('name the application: <clientId>');
  }
  return target;
}

function found<T>(value: T | undefined, clientId: string): T {
  if (value === undefined) {
    throw new Error(`no application ${clientId}`);
  }
  return value;
}
