// The README's Telegram set-up, through the whole API: the outbox takes every channel, so Telegram
// must come before it in the chain, and the API says so at start-up when it does not.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { capturingLogger } from '@sms-mfa/tests/support/capturing-logger';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { startTelegramGatewayFake, type TelegramGatewayFake } from './telegram.fake.js';
import { eventually, postJson, startApi } from '../../support/api-harness.js';

const PHONE = '+5511966191717';
const UNREACHABLE = /can never be reached/;

describe('a Telegram provider in a chain with the outbox', () => {
  const redis = useRedis();
  let gateway: TelegramGatewayFake;
  before(async () => {
    gateway = await startTelegramGatewayFake();
    redis.defer(() => gateway.close());
  });

  const start = async (providers: string) => {
    const log = capturingLogger('reference-api', 'warn');
    const api = await startApi(
      redis.url,
      {
        PROVIDERS: providers,
        TELEGRAM_GATEWAY_BASE_URL: gateway.url,
        TELEGRAM_GATEWAY_TOKEN: gateway.token,
      },
      { logger: log.logger },
    );
    return { api, warnings: log.at('warn').filter((w) => UNREACHABLE.test(w)) };
  };
  const sendAndWait = async (url: string, channel: string) => {
    const { body } = await postJson(`${url}/v1/messages`, { to: PHONE, code: '654321', channel });
    return eventually(async () => {
      const record = (await (await fetch(`${url}/v1/messages/${body.id}`)).json()) as Record<
        string,
        any
      >;
      return ['sent', 'failed'].includes(record.status) ? record : undefined;
    });
  };

  it('warns once at start-up that telegram after the outbox can never be reached', async () => {
    const { api, warnings } = await start('outbox,telegram');
    await api.close();
    assert.deepEqual(warnings, [
      'provider telegram in PROVIDERS=outbox,telegram can never be reached: outbox before it takes every channel it serves',
    ]);
  });

  it('sends telegram messages to Telegram and the rest to the outbox with telegram first, as the README does', async () => {
    const { api, warnings } = await start('telegram,outbox');
    redis.defer(() => api.close());
    assert.deepEqual(warnings, []);
    assert.equal((await sendAndWait(api.url, 'telegram')).provider, 'telegram');
    assert.equal(gateway.requests.filter((r) => /sendVerificationMessage/i.test(r.url)).length, 1);
    assert.equal((await sendAndWait(api.url, 'sms')).provider, 'outbox');
  });
});
