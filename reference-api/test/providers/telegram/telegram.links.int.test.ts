// The telegram channel end to end: numbers whose owners linked a chat get the message from the bot
// (Bot API), every other number gets the code from the Telegram Gateway.
import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import {
  startTelegramBotFake,
  startTelegramGatewayFake,
  type TelegramBotFake,
  type TelegramGatewayFake,
} from './telegram.fake.js';
import { eventually, postJson, startApi } from '../../support/api-harness.js';

const PHONE = '+5511966191717';
const CHAT = 424242;

describe('the telegram channel with linked chats', () => {
  const redis = useRedis();
  let url: string;
  let gateway: TelegramGatewayFake;
  let bot: TelegramBotFake;
  before(async () => {
    gateway = await startTelegramGatewayFake();
    bot = await startTelegramBotFake();
    bot.startChat(CHAT);
    const api = await startApi(redis.url, {
      PROVIDERS: 'telegram',
      TELEGRAM_GATEWAY_BASE_URL: gateway.url,
      TELEGRAM_GATEWAY_TOKEN: gateway.token,
      TELEGRAM_BOT_BASE_URL: bot.url,
      TELEGRAM_BOT_TOKEN: bot.token,
    });
    url = api.url;
    redis.defer(async () => {
      await api.close();
      await gateway.close();
      await bot.close();
    });
  });
  beforeEach(() => {
    gateway.requests.length = 0;
    bot.requests.length = 0;
  });

  const send = async () => {
    const { body } = await postJson(`${url}/v1/messages`, {
      to: PHONE,
      code: '731904',
      channel: 'telegram',
    });
    return eventually(async () => {
      const record = (await (await fetch(`${url}/v1/messages/${body.id}`)).json()) as Record<
        string,
        any
      >;
      return ['sent', 'failed'].includes(record.status) ? record : undefined;
    }, 15_000);
  };
  const link = (phone: string, body: unknown) =>
    fetch(`${url}/v1/telegram/links/${encodeURIComponent(phone)}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('sends the code through the Gateway to a number with no linked chat', async () => {
    const record = await send();
    assert.equal(record.status, 'sent');
    assert.equal(gateway.requests.length, 1);
    assert.equal(bot.requests.length, 0);
  });

  it('sends the whole text through the bot once the number is linked to a chat', async () => {
    assert.equal((await link('+55 11 96619-1717', { chatId: CHAT })).status, 204);
    const record = await send();
    assert.equal(record.status, 'sent');
    assert.match(record.providerMessageId, new RegExp(`^${CHAT}:\\d+$`));
    assert.equal(gateway.requests.length, 0);
    const body = bot.requests[0]?.body as { chat_id: number; text: string };
    assert.equal(body.chat_id, CHAT);
    assert.match(body.text, /731904/);
  });

  it('waits for the bot’s retry_after when Telegram answers 429, then delivers', async () => {
    bot.failNext('rate_limited', { retryAfterSeconds: 1 });
    const record = await send();
    assert.equal(record.status, 'sent');
    const [first, second] = bot.requests;
    assert.ok(
      second!.at - first!.at >= 900,
      `waited ${second!.at - first!.at} ms for retry_after 1`,
    );
  });

  it('goes back to the Gateway once the link is removed, and says when there is nothing to remove', async () => {
    const remove = () =>
      fetch(`${url}/v1/telegram/links/${encodeURIComponent(PHONE)}`, { method: 'DELETE' });
    assert.equal((await remove()).status, 204);
    assert.equal((await remove()).status, 404);
    await send();
    assert.equal(gateway.requests.length, 1);
    assert.equal(bot.requests.length, 0);
  });

  it('refuses a chat id that is not an integer and a number that is not a phone number, naming the field', async () => {
    const badChat = await link(PHONE, { chatId: 'abc' });
    assert.equal(badChat.status, 400);
    assert.equal(
      ((await badChat.json()) as { details: { field: string }[] }).details[0]?.field,
      'chatId',
    );
    const badPhone = await link('12345', { chatId: CHAT });
    assert.equal(badPhone.status, 400);
    assert.equal(((await badPhone.json()) as { code: string }).code, 'INVALID_PHONE_NUMBER');
  });
});
