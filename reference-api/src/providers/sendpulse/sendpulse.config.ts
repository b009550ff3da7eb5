import { z } from 'zod';
import { optional } from '../../config-fields.js';
import { defineProviderConfig } from '../provider-module.js';

/** SendPulse's settings; credentials are checked at start-up only when SendPulse is enabled. */
export interface SendPulseSettings {
  readonly baseUrl: string;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  /** An approved sender ID. */
  readonly sender: string | undefined;
}

/** The SENDPULSE_* variables (README, "SendPulse"). */
export const sendPulseConfig = defineProviderConfig({
  env: z.object({
    SENDPULSE_BASE_URL: z.url().default('https://api.sendpulse.com'),
    SENDPULSE_CLIENT_ID: optional,
    SENDPULSE_CLIENT_SECRET: optional,
    SENDPULSE_SENDER: optional,
  }),
  secrets: ['SENDPULSE_CLIENT_SECRET'],
  required: ['SENDPULSE_CLIENT_ID', 'SENDPULSE_CLIENT_SECRET', 'SENDPULSE_SENDER'],
  settings: (e): SendPulseSettings => ({
    baseUrl: e.SENDPULSE_BASE_URL,
    clientId: e.SENDPULSE_CLIENT_ID,
    clientSecret: e.SENDPULSE_CLIENT_SECRET,
    sender: e.SENDPULSE_SENDER,
  }),
});
