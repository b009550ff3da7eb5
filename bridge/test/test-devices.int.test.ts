import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { setEmailDomain } from '../src/email/email-domain.js';
import { cli } from './support/apps-cli.js';
import { assertFailure, detailFields } from './support/ciam-response.js';
import { startDeviceAuthStack, type DeviceAuthStack } from './support/deviceauth-stack.js';
import { testPhone } from './support/otp-fixtures.js';

const BASE = '/ciam-mfa/v2/deviceAuthentications';
const APPS = '/admin/v1/applications';
const REVIEW_PHONE = '+14155550100';
const REVIEW_EMAIL = 'Reviewer@review.example';
const FIXED = '918273';

type Event = Record<string, string>;

describe('test numbers and addresses with a fixed code', () => {
  const redis = useRedis();
  let stack: DeviceAuthStack;
  let token: string;
  let admin: string;
  let users = 0;

  const send = (body: Record<string, unknown>) =>
    stack.call('POST', BASE, token, { userName: `reviewer-${users++}`, ...body });
  const sendToPhone = async () => {
    const res = await send({ phoneNumber: '+1 (415) 555-0100', deviceType: 'sms' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return String(res.body['authId']);
  };
  const eventsOf = async (authId: string): Promise<Event[]> => {
    const res = await stack.call('GET', '/admin/v1/events?limit=1000', admin);
    return (res.body['events'] as Event[]).filter((e) => e['authId'] === authId);
  };

  before(async () => {
    // every test sends to the one test number: more than the 5 per 10 minutes a number gets by default
    stack = await startDeviceAuthStack(redis, { RATE_PHONE_SENDS: '50' });
    admin = await stack.client({ clientId: 'console', scopes: ['mfa:admin'] });
    token = await stack.client({
      clientId: 'review',
      deviceTypes: ['SMS', 'EMAIL'],
      emailFrom: 'no-reply@review.example',
      allowTestDevices: true,
      testDevices: [
        { phoneNumber: '+1 415 555 0100', code: FIXED },
        { email: 'Reviewer@REVIEW.example', code: '123456' },
      ],
    });
    const { serverSecret } = stack.bridge.context;
    await setEmailDomain(stack.bridge.apps, serverSecret, 'review', { domain: 'review.example' });
  });

  it('sends nothing to a test number, and its fixed code validates', async () => {
    const authId = await sendToPhone();
    const validated = await stack.call('POST', `${BASE}/${authId}`, token, { otp: FIXED });
    assert.equal(validated.status, 200, JSON.stringify(validated.body));
    assert.deepEqual(await stack.outbox(REVIEW_PHONE), [], 'the reference API was given nothing');
  });

  it('sends nothing to a test address, and its fixed code validates', async () => {
    const res = await send({ email: 'reviewer@review.example', deviceType: 'EMAIL' });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const authId = String(res.body['authId']);
    assert.equal(
      (await stack.call('POST', `${BASE}/${authId}`, token, { otp: '123456' })).status,
      200,
    );
    assert.deepEqual(await stack.outbox(REVIEW_EMAIL), []);
  });

  it('counts a wrong code as an attempt and locks after maxAttempts, as for a live code', async () => {
    const authId = await sendToPhone();
    for (let left = 4; left >= 1; left--) {
      const wrong = await stack.call('POST', `${BASE}/${authId}`, token, { otp: '000000' });
      assert.equal(assertFailure(wrong, 400, 'OTP_INVALID')['attemptsRemaining'], left);
    }
    assertFailure(
      await stack.call('POST', `${BASE}/${authId}`, token, { otp: '000000' }),
      403,
      'MAX_ATTEMPTS_REACHED',
    );
    assertFailure(
      await stack.call('POST', `${BASE}/${authId}`, token, { otp: FIXED }),
      403,
      'MAX_ATTEMPTS_REACHED',
    );
    assert.ok((await eventsOf(authId)).some((e) => e['type'] === 'locked' && e['test'] === 'true'));
  });

  it('resends nothing after the usual cooldown, and the code expires as usual', async () => {
    const authId = await sendToPhone();
    assertFailure(await stack.call('POST', `${BASE}/${authId}/resend`, token), 429, 'RATE_LIMITED');
    stack.clock.advance(30_000);
    const resent = await stack.call('POST', `${BASE}/${authId}/resend`, token);
    assert.equal(resent.status, 200, JSON.stringify(resent.body));
    assert.equal(resent.body['sendsRemaining'], 3);
    assert.deepEqual(await stack.outbox(REVIEW_PHONE), []);
    stack.clock.advance(300_000);
    assertFailure(
      await stack.call('POST', `${BASE}/${authId}`, token, { otp: FIXED }),
      410,
      'OTP_EXPIRED',
    );
  });

  it('marks their audit events test: true and counts them under kind="test"', async () => {
    const authId = await sendToPhone();
    await stack.call('POST', `${BASE}/${authId}`, token, { otp: FIXED });
    const events = await eventsOf(authId);
    assert.deepEqual(events.map((e) => e['type']).sort(), ['issued', 'validated']);
    assert.ok(events.every((e) => e['test'] === 'true'));
    const metrics = await (await fetch(`${stack.bridge.url}/metrics`)).text();
    for (const event of ['issued', 'validated']) {
      assert.match(
        metrics,
        new RegExp(
          `mfa_codes_${event}_total\\{application="review",country="US",kind="test"\\} [1-9]`,
        ),
      );
    }
  });

  it('sends a live code to any other number of the same application', async () => {
    const phoneNumber = testPhone(7);
    const res = await send({ phoneNumber, deviceType: 'sms' });
    assert.equal(res.status, 201);
    assert.match(await stack.codeSentTo(phoneNumber), /^\d{6}$/);
    const events = await eventsOf(String(res.body['authId']));
    assert.ok(events.every((e) => e['test'] === undefined));
  });

  describe('set through the admin API', () => {
    const patch = (clientId: string, body: unknown) =>
      stack.call('PATCH', `${APPS}/${clientId}`, admin, body);

    it('shows the devices and never their codes', async () => {
      const res = await stack.call('GET', `${APPS}/review`, admin);
      assert.equal(res.body['allowTestDevices'], true);
      assert.deepEqual(res.body['testDevices'], [
        { device: REVIEW_PHONE },
        { device: REVIEW_EMAIL },
      ]);
      assert.equal(JSON.stringify(res.body).includes(FIXED), false);
      const record = (await redis.client().hget('{mfa}:app:review', 'record')) ?? '';
      assert.equal(record.includes(FIXED), false, 'stored sealed');
    });

    it('refuses test devices unless allowTestDevices is on, naming testDevices', async () => {
      await stack.client({ clientId: 'live-only' });
      const res = await patch('live-only', {
        testDevices: [{ phoneNumber: REVIEW_PHONE, code: FIXED }],
      });
      assert.deepEqual(detailFields(assertFailure(res, 400, 'INVALID_REQUEST')), ['testDevices']);
    });

    it('refuses a code of another length than codeLength, more than 10 devices, or a bad number', async () => {
      const short = await patch('review', {
        testDevices: [{ phoneNumber: REVIEW_PHONE, code: '1234' }],
      });
      assert.deepEqual(detailFields(assertFailure(short, 400, 'INVALID_REQUEST')), [
        'testDevices.0.code',
      ]);
      const eleven = Array.from({ length: 11 }, (_, i) => ({
        phoneNumber: testPhone(i),
        code: FIXED,
      }));
      const many = await patch('review', { testDevices: eleven });
      assert.deepEqual(detailFields(assertFailure(many, 400, 'INVALID_REQUEST')), ['testDevices']);
      const bad = await patch('review', { testDevices: [{ phoneNumber: '+1555', code: FIXED }] });
      assert.deepEqual(detailFields(assertFailure(bad, 400, 'INVALID_REQUEST')), [
        'testDevices.0.phoneNumber',
      ]);
      const codeLength = await patch('review', { codeLength: 8 });
      assert.ok(
        detailFields(assertFailure(codeLength, 400, 'INVALID_REQUEST')).includes(
          'testDevices.0.code',
        ),
      );
    });

    it('turns them off only with the list emptied, and then sends live codes to the former test number', async () => {
      const refused = await patch('review', { allowTestDevices: false });
      assert.deepEqual(detailFields(assertFailure(refused, 400, 'INVALID_REQUEST')), [
        'testDevices',
      ]);
      const off = await patch('review', { allowTestDevices: false, testDevices: [] });
      assert.equal(off.status, 200, JSON.stringify(off.body));
      await sendToPhone();
      assert.match(await stack.codeSentTo(REVIEW_PHONE), /^\d{6}$/);
    });
  });

  describe('set through the apps command line', () => {
    const env = () => ({
      ...redis.env,
      BRIDGE_SECRET: stack.bridge.context.config.serverSecret!,
    });

    it('adds and removes a test device, and refuses one without allowTestDevices', async () => {
      await stack.client({ clientId: 'cli-review' });
      const add = ['test-device', 'cli-review', '--phone', '+1 202 555 0123', '--code', '246810'];
      const refused = await cli(add, env());
      assert.equal(refused.code, 2, refused.stderr);
      assert.match(refused.stderr, /testDevices: are refused unless allowTestDevices is true/);
      assert.equal(
        (await cli(['update', 'cli-review', '--allow-test-devices', 'true'], env())).code,
        0,
      );
      const added = await cli(add, env());
      assert.equal(added.code, 0, added.stderr);
      assert.match(added.stdout, /test device \+1 202 555 0123 of cli-review/);
      assert.equal(added.stdout.includes('246810'), false, 'the code is not printed back');
      const app = await stack.bridge.apps.get('cli-review');
      assert.deepEqual(
        app?.testDevices?.map((d) => d.device),
        ['+12025550123'],
      );
      const removed = await cli(
        ['test-device', 'cli-review', '--phone', '+12025550123', '--remove'],
        env(),
      );
      assert.match(removed.stdout, /removed test device/);
      assert.deepEqual((await stack.bridge.apps.get('cli-review'))?.testDevices, []);
    });
  });
});
