// What sends cost: the operator's price table (PRICE_TABLE_FILE) prices a send, a provider that
// reports its own price wins, and the figures land on the message record and in mfa_spend_total.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import type { MessageRecord } from '../src/messages/message-status.js';
import { FAKE_VONAGE_ACCOUNT, startVonageFake } from './providers/vonage/vonage.fake.js';
import { startTelegramGatewayFake } from './providers/telegram/telegram.fake.js';
import { eventually, postJson, startApi } from './support/api-harness.js';
import { scratchDir } from './support/worker-harness.js';

const SAMPLE_TABLE = fileURLToPath(new URL('../prices.sample.json', import.meta.url));

/** The value of a sample line `name{labels} value`, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function sentRecord(url: string, id: string): Promise<MessageRecord> {
  return eventually(async () => {
    const record = (await (await fetch(`${url}/v1/messages/${id}`)).json()) as MessageRecord;
    return record.status === 'sent' ? record : undefined;
  });
}

const metrics = async (url: string) => (await fetch(`${url}/metrics`)).text();

describe('spend: what each send costs', () => {
  const redis = useRedis();

  it('prices a send from the table: estimatedPrice in the 202, price on the record, mfa_spend_total per account and country', async () => {
    const api = await startApi(redis.url, { PRICE_TABLE_FILE: SAMPLE_TABLE });
    redis.defer(() => api.close());
    const accepted = await postJson(`${api.url}/v1/messages`, {
      to: '+447400123456',
      code: '123456',
      account: 'shop',
    });
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    assert.deepEqual(accepted.body['estimatedPrice'], { amount: 0.0463, currency: 'USD' });
    const record = await sentRecord(api.url, accepted.body['id']);
    assert.deepEqual(record.price, { amount: 0.0463, currency: 'USD', source: 'table' });
    const sms = await postJson(`${api.url}/api/sms`, {
      mobile: '+447400123457',
      totp: '654321',
      account: 'shop',
    });
    assert.equal(sms.status, 202, JSON.stringify(sms.body));
    assert.deepEqual(sms.body['estimatedPrice'], { amount: 0.0463, currency: 'USD' });
    await sentRecord(api.url, sms.body['id']);
    const series =
      'mfa_spend_total{application="shop",provider="outbox",country="GB",currency="USD"}';
    const text = await metrics(api.url);
    assert.ok(
      Math.abs((sample(text, series) ?? 0) - 0.0926) < 1e-9,
      text
        .split('\n')
        .filter((l) => l.startsWith('mfa_'))
        .join('\n'),
    );
  });

  it('counts a send that neither the provider nor a table prices as unpriced, not as free', async () => {
    const api = await startApi(redis.url, { QUEUE_PREFIX: '{unpriced}' });
    redis.defer(() => api.close());
    const accepted = await postJson(`${api.url}/v1/messages`, {
      to: '+5511966191717',
      code: '1234',
    });
    assert.equal(accepted.body['estimatedPrice'], undefined);
    const record = await sentRecord(api.url, accepted.body['id']);
    assert.equal(record.price, undefined);
    const text = await metrics(api.url);
    assert.equal(
      sample(text, 'mfa_unpriced_sends_total{application="",provider="outbox",country="BR"}'),
      1,
    );
    assert.doesNotMatch(text, /^mfa_spend_total\{/m);
  });

  it("takes Vonage's message-price over the table: the provider's word wins", async () => {
    const fake = await startVonageFake();
    const api = await startApi(redis.url, {
      QUEUE_PREFIX: '{vonagespend}',
      PRICE_TABLE_FILE: SAMPLE_TABLE,
      PROVIDERS: 'vonage',
      VONAGE_REST_HOST: fake.url,
      VONAGE_API_HOST: fake.url,
      VONAGE_API_KEY: FAKE_VONAGE_ACCOUNT.apiKey,
      VONAGE_API_SECRET: FAKE_VONAGE_ACCOUNT.apiSecret,
      VONAGE_FROM: 'SmsMfa',
    });
    redis.defer(async () => {
      await api.close();
      await fake.close();
    });
    const accepted = await postJson(`${api.url}/v1/messages`, {
      to: '+5511966191717',
      code: '123456',
      account: 'shop',
    });
    assert.deepEqual(accepted.body['estimatedPrice'], { amount: 0.0514, currency: 'USD' });
    const record = await sentRecord(api.url, accepted.body['id']);
    assert.deepEqual(record.price, { amount: 0.0333, currency: 'EUR', source: 'provider' });
    const series =
      'mfa_spend_total{application="shop",provider="vonage",country="BR",currency="EUR"}';
    assert.ok(Math.abs((sample(await metrics(api.url), series) ?? 0) - 0.0333) < 1e-9);
  });

  it("takes the Telegram Gateway's request_cost, in US dollars", async () => {
    const gateway = await startTelegramGatewayFake();
    const api = await startApi(redis.url, {
      QUEUE_PREFIX: '{telegramspend}',
      PROVIDERS: 'telegram',
      TELEGRAM_GATEWAY_BASE_URL: gateway.url,
      TELEGRAM_GATEWAY_TOKEN: gateway.token,
    });
    redis.defer(async () => {
      await api.close();
      await gateway.close();
    });
    const accepted = await postJson(`${api.url}/v1/messages`, {
      to: '+5511966191717',
      code: '123456',
      channel: 'telegram',
    });
    const record = await sentRecord(api.url, accepted.body['id']);
    assert.deepEqual(record.price, { amount: 0.01, currency: 'USD', source: 'provider' });
  });

  it('refuses an account that is not 1 to 64 printable ASCII characters, naming the field', async () => {
    const api = await startApi(redis.url, { QUEUE_PREFIX: '{badaccount}' });
    redis.defer(() => api.close());
    const res = await postJson(`${api.url}/v1/messages`, {
      to: '+5511966191717',
      code: '1234',
      account: 'x'.repeat(65),
    });
    assert.equal(res.status, 400);
    assert.match(JSON.stringify(res.body), /account/);
  });
});

describe('the price table at start-up', () => {
  it('fails start-up with one line naming the file, the entry and the problem', () => {
    const file = join(scratchDir(), 'prices.json');
    writeFileSync(file, JSON.stringify({ currency: 'USD', prices: { sms: { '44': 0.04 } } }));
    const start = fileURLToPath(new URL('../src/start.ts', import.meta.url));
    const run = spawnSync(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', start, '--role', 'api'],
      {
        env: { PATH: process.env['PATH'], PRICE_TABLE_FILE: file, DATA_DIR: scratchDir() },
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    assert.equal(run.status, 1, run.stderr);
    const problems = run.stderr.split('\n').filter((l) => l.includes('PRICE_TABLE_FILE'));
    assert.deepEqual(problems, [
      `  - PRICE_TABLE_FILE: ${file}: prices.sms["44"]: must be a +prefix of digits or *`,
    ]);
  });
});
