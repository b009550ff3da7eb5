import { defineProvider } from '../provider-module.js';
import { sendGridConfig } from './sendgrid.config.js';
import { createSendGridProvider, SENDGRID_CHANNELS } from './sendgrid.provider.js';
import { createSendGridReceiptHandler } from './sendgrid.receipts.js';

/** Twilio SendGrid's v3 Mail Send API, with its Signed Event Webhook for delivery receipts. */
export const sendGridModule = defineProvider({
  id: 'sendgrid',
  channels: SENDGRID_CHANNELS,
  config: sendGridConfig,
  create: (context) =>
    createSendGridProvider(context.settings, {
      timeoutMs: context.providerTimeoutMs,
      logger: context.logger,
    }),
  receipts: (context) => createSendGridReceiptHandler(context.settings.webhookPublicKey),
});
