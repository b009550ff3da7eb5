// The `telegram` channel through the Telegram Gateway API: a verification code delivered by
// Telegram itself to the account registered on a phone number. It sends codes, never free text.
import { PermanentProviderError } from '../provider-errors.js';
import { providerFetch, type ProviderResponse } from '../provider-http.js';
import type { Channel, OutboundMessage, SendResult, SmsProvider } from '../sms-provider.js';
import { classifyGatewayAnswer, TELEGRAM } from './telegram.errors.js';
import type { TelegramBotSender } from './telegram.bot-sender.js';
import type { TelegramChatLinks } from './telegram.chat-links.js';

/** Everything the Gateway sender needs. */
export interface GatewayOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly timeoutMs: number;
  /** Where delivery reports go; only an HTTPS URL of at most 256 bytes is passed on. */
  readonly callbackUrl: string | undefined;
}

/** The `ttl` range sendVerificationMessage accepts since 2025-02-26. */
export const GATEWAY_TTL_SECONDS = { min: 30, max: 3600 } as const;
const GATEWAY_CODE = /^\d{4,8}$/;
const CALLBACK_URL_MAX_BYTES = 256;

/** Telegram serves its own channel only. */
export const TELEGRAM_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(['telegram']);

/** The message lifetime clamped to what the Gateway accepts. */
export function gatewayTtlSeconds(ttlSeconds: number): number {
  return Math.min(
    GATEWAY_TTL_SECONDS.max,
    Math.max(GATEWAY_TTL_SECONDS.min, Math.floor(ttlSeconds)),
  );
}

/** `url` when the Gateway can call it back (HTTPS, at most 256 bytes), else undefined. */
export function usableCallbackUrl(url: string | undefined): string | undefined {
  if (!url?.startsWith('https://') || Buffer.byteLength(url) > CALLBACK_URL_MAX_BYTES) {
    return undefined;
  }
  return url;
}

/**
 * The sendVerificationMessage parameters for `message`. Throws PermanentProviderError when there is
 * no bare code (a free text cannot go through the Gateway) or the code is not 4–8 digits.
 */
export function verificationParams(
  message: OutboundMessage,
  callbackUrl: string | undefined,
): Record<string, unknown> {
  if (message.code === undefined) {
    throw new PermanentProviderError(
      TELEGRAM,
      'the Telegram Gateway delivers only verification codes, and this message is a text without a bare code',
      'NO_CODE',
    );
  }
  if (!GATEWAY_CODE.test(message.code)) {
    throw new PermanentProviderError(
      TELEGRAM,
      `the Telegram Gateway takes codes of 4 to 8 digits, not ${message.code.length}`,
      'CODE_LENGTH',
    );
  }
  const callback = usableCallbackUrl(callbackUrl);
  return {
    phone_number: message.to,
    code: message.code,
    ttl: gatewayTtlSeconds(message.ttlSeconds),
    // request_id is reserved for ids from checkSendAbility (a paid pre-check we skip), so our own
    // id travels in payload, which the Gateway echoes in RequestStatus.
    payload: message.messageId,
    ...(callback ? { callback_url: callback } : {}),
  };
}

/** A `telegram`-channel sender through the Gateway; the providerMessageId is the Gateway's request_id. */
export function createGatewayProvider(options: GatewayOptions): SmsProvider {
  const url = `${options.baseUrl.replace(/\/+$/, '')}/sendVerificationMessage`;
  const headers = { authorization: `Bearer ${options.token}`, 'content-type': 'application/json' };
  return {
    id: TELEGRAM,
    channels: TELEGRAM_CHANNELS,
    async send(message, signal) {
      const body = JSON.stringify(verificationParams(message, options.callbackUrl));
      const res = await providerFetch(
        TELEGRAM,
        url,
        { method: 'POST', headers, body },
        { timeoutMs: options.timeoutMs, signal },
      );
      return readRequestStatus(res);
    },
  };
}

function readRequestStatus(res: ProviderResponse): SendResult {
  const error = classifyGatewayAnswer(res);
  if (error) {
    throw error;
  }
  const result = (res.body as { result?: { request_id?: unknown; request_cost?: unknown } }).result;
  const requestId = result?.request_id;
  // Not retried: the code may have gone out, and each send is charged.
  if (typeof requestId !== 'string' || !requestId) {
    throw new PermanentProviderError(TELEGRAM, 'Gateway answered ok without a request_id');
  }
  const cost = result?.request_cost;
  // RequestStatus.request_cost names no currency; the Gateway prices in US dollars ("$0.01 per
  // delivered code", core.telegram.org/gateway; shared/reference/providers.md §4b).
  const price =
    typeof cost === 'number' && Number.isFinite(cost) && cost >= 0
      ? { amount: cost, currency: 'USD' }
      : undefined;
  return { providerMessageId: requestId, ...(price ? { price } : {}) };
}

/**
 * The `telegram` channel: a number whose owner linked a chat to our bot gets the message text from
 * the bot (Bot API sendMessage); any other number gets the code from the Telegram Gateway.
 */
export function createTelegramProvider(
  gateway: SmsProvider | undefined,
  bot: TelegramBotSender | undefined,
  links: TelegramChatLinks,
): SmsProvider {
  return {
    id: TELEGRAM,
    channels: TELEGRAM_CHANNELS,
    async send(message, signal) {
      const chatId = bot ? await links.chatFor(message.to) : undefined;
      // Chat ids are integers for Telegram; they fit a double (at most 52 bits), so send them as numbers.
      if (bot && chatId) {
        return bot.sendBotMessage(Number(chatId), message.text, signal);
      }
      if (gateway) {
        return gateway.send(message, signal);
      }
      throw new PermanentProviderError(
        TELEGRAM,
        'no chat is linked to this number and TELEGRAM_GATEWAY_TOKEN is not set',
        'NOT_LINKED',
      );
    },
  };
}
