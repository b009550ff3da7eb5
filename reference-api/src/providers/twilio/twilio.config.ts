import { z } from 'zod';
import { optional } from '../../config-fields.js';
import { anyOf, defineProviderConfig } from '../provider-module.js';

/** Twilio's settings; credentials are checked at start-up only when Twilio is enabled. */
export interface TwilioSettings {
  readonly baseUrl: string;
  readonly accountSid: string | undefined;
  /** Signs receipts, and authenticates sends when no API key is set. */
  readonly authToken: string | undefined;
  readonly apiKeySid: string | undefined;
  readonly apiKeySecret: string | undefined;
  readonly from: string | undefined;
  readonly messagingServiceSid: string | undefined;
  readonly whatsappFrom: string | undefined;
  /** An approved WhatsApp authentication template. */
  readonly whatsappContentSid: string | undefined;
}

/** The TWILIO_* variables (README, "Twilio"). */
export const twilioConfig = defineProviderConfig({
  env: z.object({
    TWILIO_BASE_URL: z.url().default('https://api.twilio.com'),
    TWILIO_ACCOUNT_SID: optional,
    TWILIO_AUTH_TOKEN: optional,
    TWILIO_API_KEY_SID: optional,
    TWILIO_API_KEY_SECRET: optional,
    TWILIO_FROM: optional,
    TWILIO_MESSAGING_SERVICE_SID: optional,
    TWILIO_WHATSAPP_FROM: optional,
    TWILIO_WHATSAPP_CONTENT_SID: optional,
  }),
  secrets: ['TWILIO_AUTH_TOKEN', 'TWILIO_API_KEY_SECRET'],
  required: [
    'TWILIO_ACCOUNT_SID',
    // An API key pair can stand in for the auth token when sending.
    {
      name: 'TWILIO_AUTH_TOKEN',
      met: (e) => Boolean(e.TWILIO_AUTH_TOKEN || (e.TWILIO_API_KEY_SID && e.TWILIO_API_KEY_SECRET)),
    },
    anyOf('TWILIO_FROM', 'TWILIO_MESSAGING_SERVICE_SID'),
  ],
  settings: (e): TwilioSettings => ({
    baseUrl: e.TWILIO_BASE_URL,
    accountSid: e.TWILIO_ACCOUNT_SID,
    authToken: e.TWILIO_AUTH_TOKEN,
    apiKeySid: e.TWILIO_API_KEY_SID,
    apiKeySecret: e.TWILIO_API_KEY_SECRET,
    from: e.TWILIO_FROM,
    messagingServiceSid: e.TWILIO_MESSAGING_SERVICE_SID,
    whatsappFrom: e.TWILIO_WHATSAPP_FROM,
    whatsappContentSid: e.TWILIO_WHATSAPP_CONTENT_SID,
  }),
});
