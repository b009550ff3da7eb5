import { z } from 'zod';
import { optional } from '../../config-fields.js';
import { defineProviderConfig } from '../provider-module.js';
import { isSendGridPublicKey } from './sendgrid.signature.js';

/** SendGrid's settings; the API key is checked at start-up only when sendgrid is enabled. */
export interface SendGridSettings {
  /** Where the v3 API is: https://api.sendgrid.com, or a regional edge or a fake. */
  readonly baseUrl: string;
  readonly apiKey: string | undefined;
  /** The Signed Event Webhook's verification key, base64 DER as SendGrid shows it; no receipts without it. */
  readonly webhookPublicKey: string | undefined;
}

/** The SENDGRID_* variables (README, "SendGrid"). */
export const sendGridConfig = defineProviderConfig({
  env: z.object({
    SENDGRID_BASE_URL: z.url().optional(),
    // The same, under the name the issue gave it.
    SENDGRID_API_URL: z.url().optional(),
    SENDGRID_API_KEY: optional,
    SENDGRID_WEBHOOK_PUBLIC_KEY: z
      .string()
      .refine(
        isSendGridPublicKey,
        'must be the verification key SendGrid shows: a base64 (DER) EC P-256 public key',
      )
      .optional(),
  }),
  secrets: ['SENDGRID_API_KEY'],
  required: ['SENDGRID_API_KEY'],
  settings: (e): SendGridSettings => ({
    baseUrl: (e.SENDGRID_BASE_URL ?? e.SENDGRID_API_URL ?? 'https://api.sendgrid.com').replace(
      /\/+$/,
      '',
    ),
    apiKey: e.SENDGRID_API_KEY,
    webhookPublicKey: e.SENDGRID_WEBHOOK_PUBLIC_KEY,
  }),
});
