// Email addresses and mailboxes as the API takes them: common's rules, which the bridge applies too
// (HTML's "valid e-mail address" syntax, at most 254 characters), and one of the API's own.
export {
  domainOf,
  isEmailAddress,
  MAX_ADDRESS_LENGTH,
  normaliseAddress,
  parseMailbox,
  type Mailbox,
} from '@sms-mfa/common/email-address';

/** A provider's text with every address in it replaced, so an error can be logged and recorded. */
export function withoutAddresses(text: string): string {
  return text.replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, '[address]');
}
