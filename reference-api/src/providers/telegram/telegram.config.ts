import { z } from 'zod';
import { optional } from '../../config-fields.js';
import { anyOf, defineProviderConfig } from '../provider-module.js';

/** Telegram's settings: the Gateway, the bot, or both. */
export interface TelegramSettings {
  readonly gatewayBaseUrl: string;
  readonly botBaseUrl: string;
  /** Sends codes to any number, and signs delivery reports. */
  readonly gatewayToken: string | undefined;
  /** Sends the text to numbers whose owners linked a chat. */
  readonly botToken: string | undefined;
}

/** The TELEGRAM_* variables (README, "Telegram"). */
export const telegramConfig = defineProviderConfig({
  env: z.object({
    TELEGRAM_GATEWAY_BASE_URL: z.url().default('https://gatewayapi.telegram.org'),
    TELEGRAM_BOT_BASE_URL: z.url().default('https://api.telegram.org'),
    TELEGRAM_GATEWAY_TOKEN: optional,
    TELEGRAM_BOT_TOKEN: optional,
  }),
  secrets: ['TELEGRAM_GATEWAY_TOKEN', 'TELEGRAM_BOT_TOKEN'],
  // The Gateway reaches any number; a bot alone reaches only numbers whose owners linked a chat.
  required: [anyOf('TELEGRAM_GATEWAY_TOKEN', 'TELEGRAM_BOT_TOKEN')],
  settings: (e): TelegramSettings => ({
    gatewayBaseUrl: e.TELEGRAM_GATEWAY_BASE_URL,
    botBaseUrl: e.TELEGRAM_BOT_BASE_URL,
    gatewayToken: e.TELEGRAM_GATEWAY_TOKEN,
    botToken: e.TELEGRAM_BOT_TOKEN,
  }),
});
