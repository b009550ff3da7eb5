import { domainOf, InvalidEmailError, normaliseEmail } from '@sms-mfa/common/email-address';
import type { Application, StoredDkimKey } from '../apps/application.js';
import { CiamError } from '../errors.js';

/** What an application sends email as: its sender mailbox and the DKIM key of that sender's domain. */
export interface EmailSender {
  readonly from: string;
  readonly dkim: StoredDkimKey;
}

/**
 * The application's email sender; 403 EMAIL_NOT_ALLOWED while it has none. Email is not an
 * out-of-band authenticator (NIST SP 800-63B): an application sends it only once an administrator
 * gave it a sender at a domain it owns and that domain's DKIM key.
 */
export function emailSenderOf(app: Application): EmailSender {
  if (!app.emailFrom || !app.emailDkim) {
    const missing = app.emailFrom ? 'a DKIM key (npm run apps -- email-domain)' : 'an emailFrom';
    throw new CiamError(
      'EMAIL_NOT_ALLOWED',
      `Email codes are not allowed for this application yet: it has no ${missing}`,
    );
  }
  return { from: app.emailFrom, dkim: app.emailDkim };
}

/** The address, trimmed and with its domain lower-cased; 400 naming `email` when it is missing or not an address. */
export function emailAddressOf(input: string | undefined): { address: string; domain: string } {
  if (input === undefined) {
    throw invalidEmail('is required for deviceType EMAIL');
  }
  try {
    const address = normaliseEmail(input);
    return { address, domain: domainOf(address) };
  } catch (err) {
    if (!(err instanceof InvalidEmailError)) {
      throw err;
    }
    throw invalidEmail(err.message);
  }
}

function invalidEmail(message: string): CiamError {
  return new CiamError('INVALID_REQUEST', `invalid email: ${message}`, {
    details: [{ field: 'email', message }],
  });
}
