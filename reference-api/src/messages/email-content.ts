import { invalidRequest } from '../errors.js';
import type { EmailPart } from '../providers/sms-provider.js';
import type { MessageInput } from './message-input.js';
import { emailSubject } from './templates.js';

/**
 * What an email carries besides its text, with the defaults filled in: the sender from EMAIL_FROM,
 * the subject from the template of its locale. Undefined on every other channel.
 */
export function emailPartOf(
  input: Pick<MessageInput, 'channel' | 'email' | 'locale'>,
  defaultFrom: string | undefined,
): EmailPart | undefined {
  if (input.channel !== 'email') {
    return undefined;
  }
  const from = input.email?.from ?? defaultFrom;
  if (!from) {
    throw invalidRequest([
      { field: 'email.from', message: 'is required: no EMAIL_FROM is configured' },
    ]);
  }
  const { html, dkim } = input.email ?? {};
  return {
    from,
    subject: input.email?.subject ?? emailSubject(input.locale),
    ...(html ? { html } : {}),
    ...(dkim ? { dkim } : {}),
  };
}
