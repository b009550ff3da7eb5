// Email through any SMTP relay, with nodemailer: one connection per message (a code email is one
// message to one address; a pool would hold connections the relay may time out anyway).
import { createPrivateKey } from 'node:crypto';
import { createTransport } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { domainOf, parseMailbox } from '../../messages/mailbox.js';
import { PermanentProviderError } from '../provider-errors.js';
import type { Channel, DkimKey, EmailPart, OutboundMessage, SmsProvider } from '../sms-provider.js';
import type { SmtpSettings } from './smtp.config.js';
import { classifySmtpFailure, SMTP } from './smtp.errors.js';

/** The smtp provider serves email only. */
export const SMTP_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(['email']);

/** nodemailer's transport options for `settings`; every wait is bounded by the provider timeout. */
export function smtpTransportOptions(
  settings: SmtpSettings & { host: string },
  timeoutMs: number,
): SMTPTransport.Options {
  return {
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    ignoreTLS: settings.security === 'none',
    ...(settings.user ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
    tls: { rejectUnauthorized: settings.rejectUnauthorized },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  };
}

// nodemailer signs rsa-sha256 only: an Ed25519 key would leave the message unsigned, so refuse it.
function dkimOption(dkim: DkimKey | undefined) {
  if (!dkim) {
    return undefined;
  }
  if (createPrivateKey(dkim.privateKey).asymmetricKeyType !== 'rsa') {
    throw new PermanentProviderError(
      SMTP,
      'the smtp provider signs DKIM with RSA keys only (nodemailer has no ed25519-sha256)',
    );
  }
  return { domainName: dkim.domain, keySelector: dkim.selector, privateKey: dkim.privateKey };
}

function emailOf(message: OutboundMessage): EmailPart {
  if (!message.email) {
    throw new PermanentProviderError(SMTP, `channel ${message.channel} is not email`);
  }
  return message.email;
}

/** The message nodemailer is asked to send: its Message-ID carries our message id, for tracing. */
export function smtpMail(message: OutboundMessage, signal: AbortSignal) {
  const email = emailOf(message);
  const sender = parseMailbox(email.from)?.address ?? email.from;
  const dkim = dkimOption(email.dkim);
  return {
    from: email.from,
    to: message.to,
    subject: email.subject,
    text: message.text,
    ...(email.html ? { html: email.html } : {}),
    messageId: `<${message.messageId}@${domainOf(sender)}>`,
    // RFC 3834: an automatic message; out-of-office replies should not answer it.
    headers: { 'Auto-Submitted': 'auto-generated' },
    ...(dkim ? { dkim } : {}),
    signal,
  };
}

/** The smtp provider over `settings` (the host is required: config checks it when smtp is enabled). */
export function createSmtpProvider(
  settings: SmtpSettings,
  options: { timeoutMs: number },
): SmsProvider {
  const host = settings.host;
  if (!host) {
    throw new TypeError('smtp needs SMTP_HOST');
  }
  const transport = createTransport(smtpTransportOptions({ ...settings, host }, options.timeoutMs));
  return {
    id: SMTP,
    channels: SMTP_CHANNELS,
    async send(message, signal) {
      try {
        const info = await transport.sendMail(smtpMail(message, signal));
        return { providerMessageId: info.messageId };
      } catch (err) {
        throw classifySmtpFailure(err);
      }
    },
  };
}
