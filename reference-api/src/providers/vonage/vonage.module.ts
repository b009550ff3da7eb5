import type { ReceiptHandler } from '../receipts.js';
import type { Channel } from '../sms-provider.js';
import { defineProvider, type ProviderContext } from '../provider-module.js';
import { vonageConfig, type VonageSettings } from './vonage.config.js';
import { createVonageProvider, type VonageOptions } from './vonage.provider.js';
import { createVonageReceiptHandler } from './vonage.receipts.js';

/** What the sender needs; a missing credential here is a deployment mistake that config.ts should have caught. */
function vonageOptions(context: ProviderContext<VonageSettings>): VonageOptions {
  const { settings } = context;
  if (!settings.apiKey || !settings.apiSecret || !settings.from) {
    throw new TypeError('vonage needs VONAGE_API_KEY, VONAGE_API_SECRET and VONAGE_FROM');
  }
  return {
    apiKey: settings.apiKey,
    apiSecret: settings.apiSecret,
    from: settings.from,
    restHost: settings.restHost,
    apiHost: settings.apiHost,
    timeoutMs: context.providerTimeoutMs,
    callbackUrl: context.webhookUrl,
    whatsapp: whatsAppOptions(context),
    priceCurrency: settings.priceCurrency,
  };
}

function whatsAppOptions(context: ProviderContext<VonageSettings>): VonageOptions['whatsapp'] {
  const { whatsappFrom: from, whatsappTemplate: template } = context.settings;
  if (from && template) {
    return { from, template };
  }
  // Half a WhatsApp setup is a slip, not a choice: say so once rather than quietly sending SMS only.
  if (from || template) {
    context.logger.warn(
      'Vonage WhatsApp is off: set both VONAGE_WHATSAPP_FROM and VONAGE_WHATSAPP_TEMPLATE',
    );
  }
  return undefined;
}

function vonageReceipts(context: ProviderContext<VonageSettings>): ReceiptHandler {
  const { signatureSecret } = context.settings;
  if (!signatureSecret && context.enabled) {
    context.logger.warn(
      'VONAGE_SIGNATURE_SECRET is not set: Vonage delivery receipts will be refused',
    );
  }
  return createVonageReceiptHandler({ signatureSecret });
}

/** Vonage: SMS through the SMS API, WhatsApp through the Messages API; signed receipts at /webhooks/vonage. */
export const vonageModule = defineProvider({
  id: 'vonage',
  channels: new Set<Channel>(['sms', 'whatsapp']),
  config: vonageConfig,
  create: (context) => createVonageProvider(vonageOptions(context)),
  receipts: vonageReceipts,
});
