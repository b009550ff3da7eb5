import { z } from 'zod';
import { optional } from '../../config-fields.js';
import { defineProviderConfig } from '../provider-module.js';

/** Vonage's settings; credentials are checked at start-up only when Vonage is enabled. */
export interface VonageSettings {
  readonly restHost: string;
  readonly apiHost: string;
  readonly apiKey: string | undefined;
  readonly apiSecret: string | undefined;
  readonly from: string | undefined;
  /** Verifies signed receipts; without it every receipt is refused. */
  readonly signatureSecret: string | undefined;
  readonly whatsappFrom: string | undefined;
  readonly whatsappTemplate: string | undefined;
  /** The account's currency, which the SMS API's `message-price` is in (it does not name it). */
  readonly priceCurrency: string;
}

/** The VONAGE_* variables (README, "Vonage"). */
export const vonageConfig = defineProviderConfig({
  env: z.object({
    VONAGE_REST_HOST: z.url().default('https://rest.nexmo.com'),
    VONAGE_API_HOST: z.url().default('https://api.nexmo.com'),
    VONAGE_API_KEY: optional,
    VONAGE_API_SECRET: optional,
    VONAGE_FROM: optional,
    VONAGE_SIGNATURE_SECRET: optional,
    VONAGE_WHATSAPP_FROM: optional,
    VONAGE_WHATSAPP_TEMPLATE: optional,
    // Vonage bills accounts in EUR unless the account was set up in another currency.
    VONAGE_PRICE_CURRENCY: z
      .string()
      .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR')
      .default('EUR'),
  }),
  secrets: ['VONAGE_API_SECRET', 'VONAGE_SIGNATURE_SECRET'],
  required: ['VONAGE_API_KEY', 'VONAGE_API_SECRET', 'VONAGE_FROM'],
  settings: (e): VonageSettings => ({
    restHost: e.VONAGE_REST_HOST,
    apiHost: e.VONAGE_API_HOST,
    apiKey: e.VONAGE_API_KEY,
    apiSecret: e.VONAGE_API_SECRET,
    from: e.VONAGE_FROM,
    signatureSecret: e.VONAGE_SIGNATURE_SECRET,
    whatsappFrom: e.VONAGE_WHATSAPP_FROM,
    whatsappTemplate: e.VONAGE_WHATSAPP_TEMPLATE,
    priceCurrency: e.VONAGE_PRICE_CURRENCY,
  }),
});
