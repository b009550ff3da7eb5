// Every metric and label the dashboard and the alert rules read must be one the services really
// export: the real bridge and reference API run in-process over a real Redis, sign-ins go through
// them until each counter has a series, and both /metrics pages are read as Prometheus would.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { before, describe, it } from 'node:test';
import { loadConfig as loadReferenceConfig } from '@sms-mfa/reference-api/config';
import { startReferenceApi } from '@sms-mfa/reference-api/service';
import { loadConfig } from '@sms-mfa/bridge/config';
import { startBridge, type RunningBridge } from '@sms-mfa/bridge/service';
import { TestClock } from '@sms-mfa/bridge/test/support/otp-fixtures';
import { freePort } from '@sms-mfa/common/redis-server';
import { outboxReader, type OutboxReader } from '../support/outbox-reader.js';
import { useRedis } from '../support/redis-harness.js';
import { redisEnv } from '../support/redis-target.js';
import { promqlNames } from './support/promql-names.js';
import {
  ALERTS_FILE,
  alertQueries,
  dashboardQueries,
  readExposition,
  variableQueries,
  type Exported,
  type Query,
} from './support/queries.js';

/**
 * Series the dashboard and the alerts read that no service exports yet, with their labels. Empty
 * since issue 14 brought spend and budgets (mfa_spend_total, mfa_budget_daily); a metric added to
 * the dashboard before a service exports it goes here until it does.
 */
const NOT_YET_EXPORTED = new Map<string, string[]>();
/** What Prometheus makes itself: `up` per target, and the labels it adds to every scraped series. */
const FROM_PROMETHEUS = new Map([['up', ['job', 'instance']]]);
const TARGET_LABELS = ['job', 'instance'];

const API_KEY = 'observability-test-key-0123456789';
const SAMPLE_PRICES = fileURLToPath(
  new URL('../../reference-api/prices.sample.json', import.meta.url),
);
const APP = { clientId: 'shop', clientSecret: 'shop-secret-0123456789' } as const;
const BASE = '/ciam-mfa/v2/deviceAuthentications';

/** The bridge and the reference API (API and worker, outbox provider, an API key set as in compose) on one Redis. */
interface Stack {
  readonly bridge: RunningBridge;
  readonly referenceUrl: string;
  readonly clock: TestClock;
  readonly outbox: OutboxReader;
}

async function startStack(redisUrl: string, defer: (f: () => unknown) => void): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'observability-'));
  const reference = await startReferenceApi(
    loadReferenceConfig({
      ...redisEnv(redisUrl),
      REFERENCE_API_PORT: '0',
      REFERENCE_API_KEY: API_KEY,
      DATA_DIR: dataDir,
      PROVIDERS: 'outbox',
      LOG_LEVEL: 'error',
      // the shipped sample: every sign-in's SMS gets a price, so mfa_spend_total has series
      PRICE_TABLE_FILE: SAMPLE_PRICES,
    }),
    { role: 'all' },
  );
  const clock = new TestClock();
  const bridge = await startBridge(
    loadConfig({
      ...redisEnv(redisUrl),
      BRIDGE_PORT: String(await freePort()),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      BRIDGE_SECRET: 'observability-test-secret-0123456789',
      REFERENCE_API_URL: reference.url ?? '',
      REFERENCE_API_KEY: API_KEY,
    }),
    { now: clock.now },
  );
  defer(async () => {
    await bridge.close();
    await reference.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    bridge,
    referenceUrl: reference.url ?? '',
    clock,
    outbox: outboxReader(reference.url ?? '', API_KEY),
  };
}

/** Sign-ins through the CIAM API until every code counter has a series: approved, failed, locked, expired. */
async function driveSignIns(stack: Stack): Promise<void> {
  await stack.bridge.apps.create(
    {
      name: 'Shop',
      clientId: APP.clientId,
      scopes: ['mfa:send', 'mfa:verify'],
      maxAttempts: 2,
      otpTtlSeconds: 60,
      dailyBudget: { amount: 25, currency: 'USD' },
    },
    APP.clientSecret,
  );
  const call = async (path: string, body: Record<string, string>) => {
    const token = await accessToken(stack.bridge.url);
    const res = await fetch(`${stack.bridge.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { authId?: string } };
  };
  const signIn = async (userName: string, phoneNumber: string) => {
    const res = await call(BASE, { userName, phoneNumber, deviceType: 'SMS' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return { authId: res.body.authId ?? '', otp: await stack.outbox.codeSentTo(phoneNumber) };
  };
  const wrong = (otp: string) => otp.replace(/^./, (d) => String((Number(d) + 1) % 10));

  const approved = await signIn('ana', '+5511966191717'); // BR: one wrong code, then the right one
  assert.equal(
    (await call(`${BASE}/${approved.authId}`, { otp: wrong(approved.otp) })).status,
    400,
  );
  assert.equal((await call(`${BASE}/${approved.authId}`, { otp: approved.otp })).status, 200);
  const locked = await signIn('bob', '+14155550100'); // US: two wrong codes lock it
  await call(`${BASE}/${locked.authId}`, { otp: wrong(locked.otp) });
  await call(`${BASE}/${locked.authId}`, { otp: wrong(locked.otp) });
  const expired = await signIn('cy', '+4915123456789'); // DE: entered after its minute
  stack.clock.advance(61_000);
  await call(`${BASE}/${expired.authId}`, { otp: expired.otp });
}

async function accessToken(bridgeUrl: string): Promise<string> {
  const res = await fetch(`${bridgeUrl}/realms/mfa/protocol/openid-connect/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
    }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** The labels `metric` carries (exported ones with the target labels, or as listed above), or undefined if unknown. */
function labelsOf(metric: string, exported: Exported): string[] | undefined {
  const listed = NOT_YET_EXPORTED.get(metric) ?? FROM_PROMETHEUS.get(metric);
  const seen = exported.get(metric);
  return listed ?? (seen ? [...seen, ...TARGET_LABELS] : undefined);
}

/** What is wrong with `query` against `exported`: unknown metrics, and labels no series of them carries. */
function problems(query: Query, exported: Exported): string[] {
  const names = promqlNames(query.expr);
  const labels = (metric: string) => labelsOf(metric, exported);
  const unknown = [...names.metrics]
    .filter((metric) => !labels(metric))
    .map((metric) => `${query.where}: no service exports ${metric}`);
  const unmatched = [...names.matchers].flatMap(([metric, matched]) =>
    [...matched]
      .filter((label) => labels(metric) && !labels(metric)!.includes(label))
      .map((label) => `${query.where}: ${metric} has no label ${label}`),
  );
  const anyLabel = new Set([...names.metrics].flatMap((metric) => labels(metric) ?? []));
  const ungrouped = [...names.grouping]
    .filter((label) => !anyLabel.has(label))
    .map((label) => `${query.where}: no metric of the query has the label ${label}`);
  return [...unknown, ...unmatched, ...ungrouped];
}

describe('the metrics the dashboard and the alert rules read, against live /metrics', () => {
  const redis = useRedis();
  const exported: Exported = new Map();
  let pages: { bridge: string; referenceApi: string; statusesWithoutKey: number[] };

  before(async () => {
    const stack = await startStack(redis.url, redis.defer);
    await driveSignIns(stack);
    const bridge = await fetch(`${stack.bridge.url}/metrics`);
    const reference = await fetch(`${stack.referenceUrl}/metrics`); // as Prometheus asks: no key
    const outbox = await fetch(`${stack.referenceUrl}/dev/outbox`);
    pages = {
      bridge: await bridge.text(),
      referenceApi: await reference.text(),
      statusesWithoutKey: [bridge.status, reference.status, outbox.status],
    };
    readExposition(pages.bridge, exported);
    readExposition(pages.referenceApi, exported);
  });

  it('serves both /metrics without a credential, though the reference API requires its key elsewhere', () => {
    assert.deepEqual(pages.statusesWithoutKey, [200, 200, 401]);
  });

  it('exports every code counter by application and country, and the new queue and provider gauges', () => {
    for (const event of ['issued', 'validated', 'failed', 'locked', 'expired']) {
      const labels = exported.get(`mfa_codes_${event}_total`) ?? new Set();
      assert.ok(labels.has('application') && labels.has('country'), `${event}: ${[...labels]}`);
    }
    const series = (event: string, country: string) =>
      new RegExp(
        `^mfa_codes_${event}_total\\{application="shop",country="${country}"[,}].* 1$`,
        'm',
      );
    assert.match(pages.bridge, series('validated', 'BR'));
    assert.match(pages.bridge, series('locked', 'US'));
    assert.match(pages.bridge, series('expired', 'DE'));
    assert.match(pages.referenceApi, /^sms_queue_oldest_waiting_seconds \d/m);
    assert.match(pages.referenceApi, /^sms_provider_breaker_open\{provider="outbox"\} 0$/m);
    assert.match(pages.referenceApi, /^sms_provider_paused\{provider="outbox"\} 0$/m);
  });

  it('exports what the sign-ins cost per application, provider and country, and the daily budget', () => {
    // three SMS at the sample's list prices: BR 0.0514, US 0.0079, DE 0.0905 (USD)
    assert.match(
      pages.referenceApi,
      /^mfa_spend_total\{application="shop",provider="outbox",country="BR",currency="USD"\} 0\.0514$/m,
    );
    assert.match(pages.bridge, /^mfa_budget_daily\{application="shop",currency="USD"\} 25$/m);
    assert.match(pages.bridge, /^mfa_budget_spent\{application="shop",currency="USD"\} 0\.1498$/m);
  });

  it('finds every metric and label of the alert rules exported', () => {
    const queries = alertQueries();
    assert.ok(queries.length >= 8);
    assert.deepEqual(
      queries.flatMap((q) => problems(q, exported)),
      [],
    );
  });

  it("finds every metric and label of the dashboard's panels and variables exported", () => {
    const queries = dashboardQueries();
    assert.ok(queries.length >= 10);
    assert.deepEqual(
      queries.flatMap((q) => problems(q, exported)),
      [],
    );
    for (const v of variableQueries()) {
      assert.deepEqual(
        problems({ where: v.where, expr: `${v.selector}{${v.label}=""}` }, exported),
        [],
      );
    }
  });

  it('fails a misspelt metric, an unknown label and a grouping by a label no metric has, so it has teeth', () => {
    const misspelt = readFileSync(ALERTS_FILE, 'utf8').replace(
      'sms_queue_oldest_waiting_seconds',
      'sms_queue_oldest_wait_seconds',
    );
    assert.deepEqual(
      alertQueries(misspelt).flatMap((q) => problems(q, exported)),
      ['alert SmsQueueBacklog: no service exports sms_queue_oldest_wait_seconds'],
    );
    assert.deepEqual(problems({ where: 'q', expr: 'sms_sends_total{outcom="sent"}' }, exported), [
      'q: sms_sends_total has no label outcom',
    ]);
    assert.deepEqual(
      problems({ where: 'q', expr: 'sum by (region) (mfa_codes_issued_total)' }, exported),
      ['q: no metric of the query has the label region'],
    );
  });

  it('lists as not yet exported only what really is not', () => {
    for (const metric of NOT_YET_EXPORTED.keys()) {
      assert.equal(
        exported.has(metric),
        false,
        `${metric} is exported now: take it out of NOT_YET_EXPORTED`,
      );
    }
    const used = [...alertQueries(), ...dashboardQueries()].flatMap((q) => [
      ...promqlNames(q.expr).metrics,
    ]);
    assert.deepEqual(
      [...NOT_YET_EXPORTED.keys()].filter((m) => !used.includes(m)),
      [],
    );
  });
});
