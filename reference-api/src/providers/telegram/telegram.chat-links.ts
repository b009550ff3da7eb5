import type { RedisClient } from '@sms-mfa/common/redis-client';

/** Chat ids must be Telegram's: a (possibly negative, for groups) integer. */
export const CHAT_ID = /^-?\d{1,20}$/;

/**
 * Which Telegram chat a phone number's owner linked to the bot (the integrator's bot learns the chat
 * id when the user presses Start on a deep link, then calls PUT /v1/telegram/links/{phone}). Kept in
 * RedisClient so every worker sees it.
 */
export class TelegramChatLinks {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(e164: string): string {
    return `${this.prefix}:telegram:chat:${e164}`;
  }

  /** Links `e164` to `chatId` (replacing an earlier link). */
  async link(e164: string, chatId: string): Promise<void> {
    if (!CHAT_ID.test(chatId)) {
      throw new TypeError('chatId must be an integer');
    }
    await this.redis.set(this.key(e164), chatId);
  }

  /** Forgets the link; true when there was one. */
  async unlink(e164: string): Promise<boolean> {
    return (await this.redis.del(this.key(e164))) === 1;
  }

  /** The linked chat id, if any. */
  async chatFor(e164: string): Promise<string | undefined> {
    return (await this.redis.get(this.key(e164))) ?? undefined;
  }
}
