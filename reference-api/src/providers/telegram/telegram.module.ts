import { defineProvider, type ProviderContext } from '../provider-module.js';
import type { SmsProvider } from '../sms-provider.js';
import { TelegramBotSender } from './telegram.bot-sender.js';
import { TelegramChatLinks } from './telegram.chat-links.js';
import { telegramConfig, type TelegramSettings } from './telegram.config.js';
import { TELEGRAM } from './telegram.errors.js';
import { createGatewayReceiptHandler } from './telegram.gateway-receipts.js';
import { telegramLinkRoutes } from './telegram.links.routes.js';
import {
  createGatewayProvider,
  createTelegramProvider,
  TELEGRAM_CHANNELS,
  usableCallbackUrl,
  type GatewayOptions,
} from './telegram.provider.js';

/** What the Gateway sender needs, once TELEGRAM_GATEWAY_TOKEN is known to be set. */
function gatewayOptions(context: ProviderContext<TelegramSettings>, token: string): GatewayOptions {
  const callbackUrl = context.webhookUrl;
  if (callbackUrl && !usableCallbackUrl(callbackUrl)) {
    context.logger.warn(
      'telegram: delivery reports need an HTTPS callback URL of at most 256 bytes; sending without callback_url',
      { provider: TELEGRAM },
    );
  }
  return {
    baseUrl: context.settings.gatewayBaseUrl,
    token,
    timeoutMs: context.providerTimeoutMs,
    callbackUrl,
  };
}

/** The Gateway sender, or undefined when TELEGRAM_GATEWAY_TOKEN is not set. */
function gateway(context: ProviderContext<TelegramSettings>): SmsProvider | undefined {
  const token = context.settings.gatewayToken;
  return token ? createGatewayProvider(gatewayOptions(context, token)) : undefined;
}

/** The bot sender, or undefined when TELEGRAM_BOT_TOKEN is not set. */
function bot(context: ProviderContext<TelegramSettings>): TelegramBotSender | undefined {
  const { botBaseUrl, botToken } = context.settings;
  return botToken
    ? new TelegramBotSender({
        baseUrl: botBaseUrl,
        token: botToken,
        timeoutMs: context.providerTimeoutMs,
      })
    : undefined;
}

const chatLinks = (context: ProviderContext<TelegramSettings>) =>
  new TelegramChatLinks(context.redis, context.queuePrefix);

/** Telegram: linked chats through the bot, other numbers through the Gateway; signed delivery reports at /webhooks/telegram. */
export const telegramModule = defineProvider({
  id: TELEGRAM,
  channels: TELEGRAM_CHANNELS,
  config: telegramConfig,
  create: (context) => createTelegramProvider(gateway(context), bot(context), chatLinks(context)),
  receipts: (context) => createGatewayReceiptHandler(context.settings.gatewayToken),
  routes: (context, auth) => telegramLinkRoutes(chatLinks(context), auth),
});
