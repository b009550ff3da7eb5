// The Bot API sender, for users who linked a chat, against the Bot API fake.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import {
  PermanentProviderError,
  RateLimitedProviderError,
  TransientProviderError,
} from '../../../src/providers/provider-errors.js';
import { TelegramBotSender } from '../../../src/providers/telegram/telegram.bot-sender.js';
import { startTelegramBotFake, type TelegramBotFake } from './telegram.fake.js';

const CHAT = 987654321;

describe('the Telegram bot sender', () => {
  let fake: TelegramBotFake;
  let bot: TelegramBotSender;
  const failure = (p: Promise<unknown>) =>
    p.then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e as Error,
    );

  before(async () => {
    fake = await startTelegramBotFake();
    bot = new TelegramBotSender({ baseUrl: fake.url, token: fake.token, timeoutMs: 5000 });
    fake.startChat(CHAT);
  });
  after(() => fake.close());
  beforeEach(() => (fake.requests.length = 0));

  it('delivers a text to a chat that started the bot and reports chat and message id', async () => {
    const result = await bot.sendBotMessage(CHAT, 'Your code is 482913');
    assert.match(result.providerMessageId, new RegExp(`^${CHAT}:\\d+$`));
    assert.equal(fake.requests[0]?.url, `/bot${fake.token}/sendMessage`);
    assert.deepEqual(fake.requests[0]?.body, { chat_id: CHAT, text: 'Your code is 482913' });
  });

  it('fails for good when the chat never started the bot', async () => {
    const err = await failure(bot.sendBotMessage(123, 'hello'));
    assert.ok(err instanceof PermanentProviderError);
    assert.equal(err.providerCode, '400');
    assert.match(err.message, /chat not found/);
  });

  it('fails for good when the user blocked the bot', async () => {
    fake.blockChat(555);
    const err = await failure(bot.sendBotMessage(555, 'hello'));
    assert.ok(err instanceof PermanentProviderError);
    assert.equal(err.providerCode, '403');
  });

  it('pauses for as long as flood control says in retry_after', async () => {
    fake.failNext('rate_limited', { retryAfterSeconds: 3 });
    const err = await failure(bot.sendBotMessage(CHAT, 'hello'));
    assert.ok(err instanceof RateLimitedProviderError);
    assert.equal(err.retryAfterMs, 3000);
  });

  it('retries later on a server error or a timeout', async () => {
    fake.failNext('transient');
    assert.ok((await failure(bot.sendBotMessage(CHAT, 'hello'))) instanceof TransientProviderError);
    fake.failNext('timeout');
    const impatient = new TelegramBotSender({
      baseUrl: fake.url,
      token: fake.token,
      timeoutMs: 300,
    });
    assert.ok(
      (await failure(impatient.sendBotMessage(CHAT, 'hello'))) instanceof TransientProviderError,
    );
  });

  it('fails for good with a wrong token, and never shows the token', async () => {
    const wrong = new TelegramBotSender({
      baseUrl: fake.url,
      token: '42:wrong-token',
      timeoutMs: 5000,
    });
    const err = await failure(wrong.sendBotMessage(CHAT, 'hello'));
    assert.ok(err instanceof PermanentProviderError);
    assert.equal(err.providerCode, '401');
    assert.doesNotMatch(err.message, /wrong-token/);
  });

  it('rejects a malformed token or an empty text as programming mistakes', async () => {
    assert.throws(
      () => new TelegramBotSender({ baseUrl: fake.url, token: 'not a token', timeoutMs: 300 }),
      TypeError,
    );
    await assert.rejects(bot.sendBotMessage(CHAT, ''), TypeError);
  });
});
