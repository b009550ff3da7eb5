import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { assertFailure, detailFields } from './support/ciam-response.js';
import { startDeviceAuthStack, type DeviceAuthStack } from './support/deviceauth-stack.js';
import { testPhone } from './support/otp-fixtures.js';

const BASE = '/ciam-mfa/v2/deviceAuthentications';
type Event = Record<string, string>;

describe('the audit trail', () => {
  const redis = useRedis();
  let stack: DeviceAuthStack;
  let token: string;
  let admin: string;
  const codes: string[] = [];

  const events = async (query = '') => {
    const res = await stack.call('GET', `/admin/v1/events${query}`, admin);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as { events: Event[]; nextCursor?: string };
  };

  before(async () => {
    stack = await startDeviceAuthStack(redis);
    token = await stack.client({ clientId: 'audited', maxAttempts: 2 });
    admin = await stack.client({ clientId: 'admin-console', scopes: ['mfa:admin'] });
    // one validated, one locked, one canceled, one expired
    for (let i = 0; i < 4; i++) {
      const res = await stack.call('POST', BASE, token, {
        userName: `u${i}`,
        phoneNumber: testPhone(i),
        deviceType: 'SMS',
      });
      codes.push(await stack.codeSentTo(testPhone(i)));
      const authId = String(res.body['authId']);
      const wrong = String((Number(codes[i]) + 1) % 1_000_000).padStart(6, '0');
      if (i === 0) {
        await stack.call('POST', `${BASE}/${authId}`, token, { otp: codes[i] });
      }
      if (i === 1) {
        for (let k = 0; k < 2; k++) {
          await stack.call('POST', `${BASE}/${authId}`, token, { otp: wrong });
        }
      }
      if (i === 2) {
        await stack.call('DELETE', `${BASE}/${authId}`, token);
      }
      if (i === 3) {
        stack.clock.advance(300_000);
        await stack.call('POST', `${BASE}/${authId}`, token, { otp: codes[i] });
      }
    }
  });

  it('records every issue, send, validation, failure, lock, cancel and expiry, newest first', async () => {
    const { events: page } = await events('?limit=1000');
    const types = page.map((e) => e.type);
    for (const type of [
      'issued',
      'sent',
      'validated',
      'validation_failed',
      'locked',
      'canceled',
      'expired',
    ]) {
      assert.ok(types.includes(type), `${type} in ${types.join(',')}`);
    }
    assert.equal(page[0]?.type, 'expired');
    const times = page.map((e) => Date.parse(e.at ?? ''));
    assert.deepEqual(
      [...times].sort((a, b) => b - a),
      times,
    );
    assert.ok(
      page.every(
        (e) => e.application === 'audited' && (e.outcome === 'success' || e.outcome === 'failure'),
      ),
    );
  });

  it('never holds a code or a full phone number, only masked ones', async () => {
    const raw = JSON.stringify((await events('?limit=1000')).events);
    for (const code of codes) {
      assert.ok(!raw.includes(`"${code}"`), 'a code is in the trail');
    }
    for (let i = 0; i < 4; i++) {
      assert.ok(!raw.includes(testPhone(i)), 'a full phone number is in the trail');
    }
    assert.match(raw, /"phone":"\+14\*{6}10\d"/);
  });

  it('pages with a cursor without repeating or skipping an event', async () => {
    const all = (await events('?limit=1000')).events.map((e) => e.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await events(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      assert.ok(page.events.length <= 3);
      seen.push(...page.events.map((e) => e.id ?? ''));
      cursor = page.nextCursor;
    } while (cursor);
    assert.deepEqual(seen, all);
  });

  it('is only for the mfa:admin scope', async () => {
    assertFailure(await stack.call('GET', '/admin/v1/events', token), 403, 'FORBIDDEN');
    assertFailure(await stack.call('GET', '/admin/v1/events', undefined), 401, 'UNAUTHORIZED');
  });

  it('refuses a bad cursor, limit or unknown parameter, naming it', async () => {
    for (const [query, field] of [
      ['?limit=0', 'limit'],
      ['?limit=5000', 'limit'],
      ['?limit=abc', 'limit'],
      ['?cursor=zzz', 'cursor'],
      ['?offset=3', 'offset'],
    ]) {
      const res = await stack.call('GET', `/admin/v1/events${query}`, admin);
      assert.deepEqual(detailFields(assertFailure(res, 400, 'INVALID_REQUEST')), [field]);
    }
  });
});
