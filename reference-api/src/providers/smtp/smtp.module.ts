import { defineProvider } from '../provider-module.js';
import { smtpConfig } from './smtp.config.js';
import { createSmtpProvider, SMTP_CHANNELS } from './smtp.provider.js';

/** Any SMTP relay (nodemailer): STARTTLS, implicit TLS or plain, optional auth, DKIM per message. No receipts. */
export const smtpModule = defineProvider({
  id: 'smtp',
  channels: SMTP_CHANNELS,
  config: smtpConfig,
  create: (context) =>
    createSmtpProvider(context.settings, { timeoutMs: context.providerTimeoutMs }),
});
