// The Bot API reaches a chat id, never a phone number: it serves users who linked their chat to
// the bot beforehand (TelegramChatLinks); the `telegram` provider uses it for those numbers.
import { PermanentProviderError } from '../provider-errors.js';
import { providerFetch } from '../provider-http.js';
import type { SendResult } from '../sms-provider.js';
import { classifyBotAnswer, TELEGRAM } from './telegram.errors.js';

/** The bot's endpoint and token. */
export interface BotSenderOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly timeoutMs: number;
}

/** Longest text `sendMessage` takes (after entity parsing; we send plain text). */
export const BOT_TEXT_LIMIT = 4096;

/** Sends plain-text messages through the Bot API `sendMessage`, classified like every provider. */
export class TelegramBotSender {
  readonly #url: string;

  constructor(private readonly options: BotSenderOptions) {
    // The token is part of the path: build the URL once, and never let it reach an error message.
    if (!/^\d+:[A-Za-z0-9_-]+$/.test(options.token)) {
      throw new TypeError('TELEGRAM_BOT_TOKEN is not a bot token');
    }
    this.#url = `${options.baseUrl.replace(/\/+$/, '')}/bot${options.token}/sendMessage`;
  }

  /** Sends `text` to `chatId`; the providerMessageId is `<chat id>:<message id>` (message ids are per chat). */
  async sendBotMessage(
    chatId: number | string,
    text: string,
    signal?: AbortSignal,
  ): Promise<SendResult> {
    if (text.length === 0 || text.length > BOT_TEXT_LIMIT) {
      throw new TypeError(`text must be 1 to ${BOT_TEXT_LIMIT} characters`);
    }
    const res = await providerFetch(
      TELEGRAM,
      this.#url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ chat_id: chatId, text }),
      },
      { timeoutMs: this.options.timeoutMs, ...(signal ? { signal } : {}) },
    );
    const error = classifyBotAnswer(res);
    if (error) {
      throw error;
    }
    const messageId = (res.body as { result?: { message_id?: unknown } }).result?.message_id;
    // Not retried: the message may have gone out, and a resend would show it twice.
    if (typeof messageId !== 'number') {
      throw new PermanentProviderError(TELEGRAM, 'Bot API answered ok without a message_id');
    }
    return { providerMessageId: `${chatId}:${messageId}` };
  }
}
