// Daily budgets: the reference API prices each send from its price table (every SMS costs 1 USD
// here), the bridge adds the estimate to the application's spend of the UTC day, and once the day's
// budget is spent new sends get 429 BUDGET_EXCEEDED until 00:00 UTC or until the budget is raised.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { cli } from './support/apps-cli.js';
import { assertFailure, detailFields } from './support/ciam-response.js';
import { startDeviceAuthStack, type DeviceAuthStack } from './support/deviceauth-stack.js';
import { TestClock } from './support/otp-fixtures.js';

const BASE = '/ciam-mfa/v2/deviceAuthentications';
const APPS = '/admin/v1/applications';
/** 22:00 UTC: two hours before the day ends. */
const EVENING = Date.parse('2030-01-15T22:00:00Z');

type Event = Record<string, string>;

function priceTable(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'prices-')), 'prices.json');
  writeFileSync(file, JSON.stringify({ currency: 'USD', prices: { sms: { '*': 1 } } }));
  return file;
}

/** A Brazilian mobile number per `n`, so no number reaches its own send limit. */
const phone = (n: number) => `+55119661${String(91000 + n).padStart(5, '0')}`;

describe('daily budgets', () => {
  const redis = useRedis();
  const clock = new TestClock(EVENING);
  let stack: DeviceAuthStack;
  let admin: string;
  let sends = 0;

  const send = (token: string) =>
    stack.call('POST', BASE, token, {
      userName: `user-${sends}`,
      phoneNumber: phone(sends++),
      deviceType: 'SMS',
    });
  const spend = async (token: string, times: number) => {
    for (let i = 0; i < times; i++) {
      const res = await send(token);
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
  };
  const eventsOf = async (clientId: string): Promise<Event[]> => {
    const res = await stack.call('GET', '/admin/v1/events?limit=1000', admin);
    return (res.body['events'] as Event[]).filter(
      (e) => e['application'] === clientId && e['type']?.startsWith('budget_'),
    );
  };
  const metrics = async () => (await fetch(`${stack.bridge.url}/metrics`)).text();

  before(async () => {
    stack = await startDeviceAuthStack(redis, {}, { PRICE_TABLE_FILE: priceTable() }, clock);
    admin = await stack.client({ clientId: 'console', scopes: ['mfa:admin'] });
  });

  it('refuses sends with 429 BUDGET_EXCEEDED and Retry-After to 00:00 UTC once the budget is spent, and sends again the next UTC day', async () => {
    const token = await stack.client({
      clientId: 'capped',
      dailyBudget: { amount: 3, currency: 'USD' },
    });
    await spend(token, 3);
    const before = sends;
    const records = (await redis.keys('*:auth:*')).length;
    const refused = await send(token);
    assertFailure(refused, 429, 'BUDGET_EXCEEDED');
    assert.equal((await redis.keys('*:auth:*')).length, records, 'no authentication left behind');
    assert.equal(refused.headers.get('retry-after'), '7200');
    assert.deepEqual(await stack.outbox(phone(before)), [], 'nothing was sent');
    const text = await metrics();
    assert.match(text, /^mfa_budget_daily\{application="capped",currency="USD"\} 3$/m);
    assert.match(text, /^mfa_budget_spent\{application="capped",currency="USD"\} 3$/m);

    clock.advance(7200_000);
    assert.equal((await send(token)).status, 201, 'a new UTC day, a new budget');
    clock.advance(-7200_000);
  });

  it('refuses a resend too while the budget is spent', async () => {
    const token = await stack.client({
      clientId: 'resender',
      dailyBudget: { amount: 1, currency: 'USD' },
    });
    const first = await send(token);
    assert.equal(first.status, 201);
    clock.advance(31_000); // past the resend cooldown
    const resent = await stack.call(
      'POST',
      `${BASE}/${String(first.body['authId'])}/resend`,
      token,
      {},
    );
    assertFailure(resent, 429, 'BUDGET_EXCEEDED');
    clock.advance(-31_000);
  });

  it('sends again as soon as the admin API raises the budget, and shows it', async () => {
    const token = await stack.client({
      clientId: 'raised',
      dailyBudget: { amount: 2, currency: 'USD' },
    });
    await spend(token, 2);
    assertFailure(await send(token), 429, 'BUDGET_EXCEEDED');
    const patched = await stack.call('PATCH', `${APPS}/raised`, admin, {
      dailyBudget: { amount: 5, currency: 'usd' },
    });
    assert.equal(patched.status, 200, JSON.stringify(patched.body));
    assert.deepEqual(patched.body['dailyBudget'], { amount: 5, currency: 'USD' });
    assert.equal((await send(token)).status, 201);
    const removed = await stack.call('PATCH', `${APPS}/raised`, admin, { dailyBudget: null });
    assert.equal(removed.body['dailyBudget'], null);
    const shown = await stack.call('GET', `${APPS}/raised`, admin);
    assert.equal(shown.body['dailyBudget'], null);
  });

  it('names the field when a budget is not a positive amount in an ISO 4217 currency', async () => {
    await stack.client({ clientId: 'typo' });
    const res = await stack.call('PATCH', `${APPS}/typo`, admin, {
      dailyBudget: { amount: 0, currency: 'dollars' },
    });
    assertFailure(res, 400, 'INVALID_REQUEST');
    assert.deepEqual(detailFields(res.body), ['dailyBudget.amount', 'dailyBudget.currency']);
  });

  it('records the 80% warning once and the exhaustion once, as audit events', async () => {
    const token = await stack.client({
      clientId: 'warned',
      dailyBudget: { amount: 5, currency: 'USD' },
    });
    await spend(token, 3);
    assert.deepEqual(await eventsOf('warned'), []);
    await spend(token, 1); // 4 of 5: 80%
    await spend(token, 1); // 5 of 5
    const types = (await eventsOf('warned')).map((e) => e['type']).sort();
    assert.deepEqual(types, ['budget_exhausted', 'budget_warning']);
    assert.match(
      (await eventsOf('warned')).find((e) => e['type'] === 'budget_warning')?.['reason'] ?? '',
      /^spent 4 of 5 USD on 2030-01-15$/,
    );
  });

  it('counts nothing when the budget is in another currency than the prices', async () => {
    const token = await stack.client({
      clientId: 'euros',
      dailyBudget: { amount: 1, currency: 'EUR' },
    });
    await spend(token, 3);
    assert.match(await metrics(), /^mfa_budget_spent\{application="euros",currency="EUR"\} 0$/m);
  });

  it('lets test devices, which send nothing, cost nothing', async () => {
    const token = await stack.client({
      clientId: 'reviewed',
      dailyBudget: { amount: 1, currency: 'USD' },
      allowTestDevices: true,
      testDevices: [{ phoneNumber: '+14155550100', code: '918273' }],
    });
    for (let i = 0; i < 3; i++) {
      const res = await stack.call('POST', BASE, token, {
        userName: `reviewer-${i}`,
        phoneNumber: '+14155550100',
        deviceType: 'SMS',
      });
      assert.equal(res.status, 201, JSON.stringify(res.body));
    }
    assert.match(await metrics(), /^mfa_budget_spent\{application="reviewed",currency="USD"\} 0$/m);
  });
});

describe('the apps CLI and daily budgets', () => {
  const redis = useRedis();
  const env = () => ({ ...redis.env, BRIDGE_SECRET: 'cli-test-secret-0123456789abcdef' });

  it('sets a budget with --daily-budget 25:USD and takes it away with --no-daily-budget', async () => {
    const created = await cli(
      [
        'create',
        '--name',
        'Shop',
        '--client-id',
        'cli-budget',
        '--daily-budget',
        '25:usd',
        '--json',
      ],
      env(),
    );
    assert.equal(created.code, 0, created.stderr);
    assert.deepEqual(JSON.parse(created.stdout).dailyBudget, { amount: 25, currency: 'USD' });
    const cleared = await cli(['update', 'cli-budget', '--no-daily-budget'], env());
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.equal(JSON.parse(cleared.stdout).dailyBudget, null);
    const refused = await cli(['update', 'cli-budget', '--daily-budget', '0:USD'], env());
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /dailyBudget\.amount/);
  });
});
