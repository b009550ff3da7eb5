// Twilio SendGrid's v3 Mail Send: `POST /v3/mail/send` with a Bearer API key; 202 Accepted with
// the request's id in X-Message-Id. Our message id rides along in `custom_args`, which SendGrid
// copies into every Event Webhook event of the message.
import type { Logger } from '@sms-mfa/common/logger';
import { parseMailbox } from '../../messages/mailbox.js';
import { PermanentProviderError } from '../provider-errors.js';
import { providerFetch } from '../provider-http.js';
import type { Channel, EmailPart, OutboundMessage, SmsProvider } from '../sms-provider.js';
import type { SendGridSettings } from './sendgrid.config.js';
import { classifySendGridFailure, SENDGRID } from './sendgrid.errors.js';

/** The sendgrid provider serves email only. */
export const SENDGRID_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(['email']);

/** What the adapter needs besides its settings. */
export interface SendGridOptions {
  readonly timeoutMs: number;
  readonly logger: Logger;
}

function emailOf(message: OutboundMessage): EmailPart {
  if (!message.email) {
    throw new PermanentProviderError(SENDGRID, `channel ${message.channel} is not email`);
  }
  return message.email;
}

/** The Mail Send body for `message`: one personalization, the plain text first, then the HTML. */
export function sendGridMailBody(message: OutboundMessage) {
  const email = emailOf(message);
  const sender = parseMailbox(email.from);
  return {
    personalizations: [
      { to: [{ email: message.to }], custom_args: { messageId: message.messageId } },
    ],
    from: {
      email: sender?.address ?? email.from,
      ...(sender?.name ? { name: sender.name } : {}),
    },
    subject: email.subject,
    content: [
      { type: 'text/plain', value: message.text },
      ...(email.html ? [{ type: 'text/html', value: email.html }] : []),
    ],
  };
}

/** The sendgrid provider; with SendGrid, DKIM is the domain authentication set up in its console. */
export function createSendGridProvider(
  settings: SendGridSettings,
  options: SendGridOptions,
): SmsProvider {
  const apiKey = settings.apiKey;
  if (!apiKey) {
    throw new TypeError('sendgrid needs SENDGRID_API_KEY');
  }
  let toldAboutDkim = false;
  return {
    id: SENDGRID,
    channels: SENDGRID_CHANNELS,
    async send(message, signal) {
      if (message.email?.dkim && !toldAboutDkim) {
        toldAboutDkim = true;
        options.logger.debug(
          'sendgrid: the message DKIM key is not used; SendGrid signs for the domains authenticated in its console',
        );
      }
      const res = await providerFetch(
        SENDGRID,
        `${settings.baseUrl}/v3/mail/send`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(sendGridMailBody(message)),
        },
        { timeoutMs: options.timeoutMs, signal },
      );
      if (res.status < 200 || res.status >= 300) {
        throw classifySendGridFailure(res);
      }
      // Receipts find the message by the custom argument too, so our id is a sound stand-in.
      return { providerMessageId: res.headers.get('x-message-id') ?? message.messageId };
    },
  };
}
