import type { Channel } from '../sms-provider.js';
import { defineProvider, type ProviderContext } from '../provider-module.js';
import { twilioConfig, type TwilioSettings } from './twilio.config.js';
import { createTwilioProvider, type TwilioProviderOptions } from './twilio.provider.js';
import { createTwilioReceiptHandler } from './twilio.receipts.js';

// Twilio signs receipts with the auth token only; asking for receipts we cannot verify would just fill the logs with 401s.
function statusCallbackFor(context: ProviderContext<TwilioSettings>): string | undefined {
  if (context.webhookUrl && !context.settings.authToken) {
    context.logger.warn(
      'twilio: TWILIO_AUTH_TOKEN is not set, so delivery receipts cannot be verified and are not requested',
    );
    return undefined;
  }
  return context.webhookUrl;
}

/** What the sender needs besides its settings. */
function twilioOptions(context: ProviderContext<TwilioSettings>): TwilioProviderOptions {
  return { timeoutMs: context.providerTimeoutMs, statusCallback: statusCallbackFor(context) };
}

/** Twilio Programmable Messaging: SMS, and WhatsApp through an authentication template; signed status callbacks. */
export const twilioModule = defineProvider({
  id: 'twilio',
  channels: new Set<Channel>(['sms', 'whatsapp']),
  config: twilioConfig,
  create: (context) => createTwilioProvider(context.settings, twilioOptions(context)),
  receipts: (context) => createTwilioReceiptHandler(context.settings.authToken),
});
