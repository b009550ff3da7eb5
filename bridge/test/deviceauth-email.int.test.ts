import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { capturingLogger } from '@sms-mfa/tests/support/capturing-logger';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { setEmailDomain } from '../src/email/email-domain.js';
import { assertFailure, detailFields } from './support/ciam-response.js';
import { startDeviceAuthStack, type DeviceAuthStack } from './support/deviceauth-stack.js';
import { TestClock } from './support/otp-fixtures.js';
import { redisText } from './support/redis-text.js';

const BASE = '/ciam-mfa/v2/deviceAuthentications';
const FROM = 'Acme <no-reply@acme.example>';

/** An application that sends email: EMAIL on, a sender at acme.example and that domain's DKIM key. */
async function emailApplication(stack: DeviceAuthStack, clientId: string): Promise<string> {
  const token = await stack.client({
    clientId,
    brand: 'Acme',
    deviceTypes: ['SMS', 'EMAIL'],
    emailFrom: FROM,
    scopes: ['mfa:send', 'mfa:verify', 'mfa:admin'],
  });
  const { serverSecret } = stack.bridge.context;
  await setEmailDomain(stack.bridge.apps, serverSecret, clientId, { domain: 'acme.example' });
  return token;
}

const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

describe('email codes (deviceType EMAIL) through the CIAM API and the reference API', () => {
  const redis = useRedis();
  const log = capturingLogger('bridge', 'debug');
  const clock = new TestClock();
  let stack: DeviceAuthStack;
  let token: string;
  let n = 0;
  /** A fresh address per test, so per-address limits and outbox reads never mix tests. */
  const nextAddress = () => `user${n++}@acme.example`;

  async function sendTo(email: string, extra: Record<string, unknown> = {}) {
    const res = await stack.call('POST', BASE, token, {
      userName: `user-${email}`,
      email,
      deviceType: 'email',
      ...extra,
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return String(res.body['authId']);
  }

  before(async () => {
    stack = await startDeviceAuthStack(redis, {}, {}, clock, log.logger);
    token = await emailApplication(stack, 'mail');
  });

  it('sends a code to an address and validates it, answering exactly as for SMS', async () => {
    const sent = await stack.call('POST', BASE, token, {
      userName: 'jdoe',
      email: 'Jane.Doe@Acme.Example',
      deviceType: 'email',
    });
    assert.equal(sent.status, 201, JSON.stringify(sent.body));
    assert.deepEqual(Object.keys(sent.body).sort(), ['authId', 'message', 'status']);
    assert.equal(sent.body['status'], 'SUCCESS');
    assert.equal(sent.body['message'], 'OTP has been sent to the device ');
    const otp = await stack.codeSentTo('Jane.Doe@acme.example');
    const [message] = await stack.outbox('Jane.Doe@acme.example');
    assert.equal(message?.channel, 'email', 'the domain is lower-cased, the local part kept');
    const validated = await stack.call('POST', `${BASE}/${String(sent.body['authId'])}`, token, {
      otp,
      deviceType: 'EMAIL',
    });
    assert.equal(validated.status, 200);
    assert.deepEqual(validated.body, {
      status: 'SUCCESS',
      message: 'OTP has been validated successfully',
    });
  });

  it('takes deviceType in any case and needs no phoneNumber', async () => {
    for (const deviceType of ['EMAIL', 'Email', 'email']) {
      const email = nextAddress();
      const res = await stack.call('POST', BASE, token, { userName: 'jdoe', email, deviceType });
      assert.equal(res.status, 201, `${deviceType}: ${JSON.stringify(res.body)}`);
    }
  });

  it('shows the masked address in the status, resends the same code after the cooldown, and cancels', async () => {
    const email = nextAddress();
    const authId = await sendTo(email);
    const status = await stack.call('GET', `${BASE}/${authId}`, token);
    assert.equal(status.body['deviceType'], 'EMAIL');
    assert.equal(status.body['email'], 'u•••@acme.example');
    assert.equal('phoneNumber' in status.body, false);
    const first = await stack.codeSentTo(email);
    assertFailure(await stack.call('POST', `${BASE}/${authId}/resend`, token), 429, 'RATE_LIMITED');
    clock.advance(30_000);
    const resent = await stack.call('POST', `${BASE}/${authId}/resend`, token);
    assert.equal(resent.status, 200, JSON.stringify(resent.body));
    assert.equal(await stack.codeSentTo(email, 1), first, 'the same code again');
    assert.equal((await stack.call('DELETE', `${BASE}/${authId}`, token)).status, 204);
    assert.equal((await stack.call('GET', `${BASE}/${authId}`, token)).body['status'], 'canceled');
    assertFailure(
      await stack.call('POST', `${BASE}/${authId}`, token, { otp: first }),
      404,
      'AUTH_NOT_FOUND',
    );
  });

  it('counts wrong codes and locks the authentication after maxAttempts', async () => {
    const email = nextAddress();
    const authId = await sendTo(email);
    const otp = await stack.codeSentTo(email);
    for (let left = 4; left >= 1; left--) {
      const wrong = await stack.call('POST', `${BASE}/${authId}`, token, { otp: wrongCode(otp) });
      assert.equal(assertFailure(wrong, 400, 'OTP_INVALID', 10008)['attemptsRemaining'], left);
    }
    assertFailure(
      await stack.call('POST', `${BASE}/${authId}`, token, { otp: wrongCode(otp) }),
      403,
      'MAX_ATTEMPTS_REACHED',
    );
    assertFailure(
      await stack.call('POST', `${BASE}/${authId}`, token, { otp }),
      403,
      'MAX_ATTEMPTS_REACHED',
    );
  });

  it('refuses a missing, malformed or too long address with 400 naming email, and SMS without phoneNumber naming phoneNumber', async () => {
    const ask = (body: Record<string, unknown>) =>
      stack.call('POST', BASE, token, { userName: 'jdoe', ...body });
    for (const email of [
      undefined,
      'jane',
      'jane@',
      'ja ne@acme.example',
      `${'a'.repeat(250)}@b.cd`,
    ]) {
      const res = await ask({ deviceType: 'email', ...(email === undefined ? {} : { email }) });
      assert.deepEqual(detailFields(assertFailure(res, 400, 'INVALID_REQUEST')), ['email'], email);
    }
    const sms = await ask({ deviceType: 'sms', email: 'jane@acme.example' });
    assert.deepEqual(detailFields(assertFailure(sms, 400, 'INVALID_REQUEST')), ['phoneNumber']);
  });

  it('refuses EMAIL to an application that has not turned it on, or that has no sender yet', async () => {
    const smsOnly = await stack.client({ clientId: 'sms-only' });
    const body = { userName: 'jdoe', email: nextAddress(), deviceType: 'email' };
    assertFailure(await stack.call('POST', BASE, smsOnly, body), 400, 'UNSUPPORTED_DEVICE_TYPE');
    const noSender = await stack.client({ clientId: 'no-sender', deviceTypes: ['EMAIL'] });
    const refused = assertFailure(
      await stack.call('POST', BASE, noSender, body),
      403,
      'EMAIL_NOT_ALLOWED',
    );
    assert.match(String(refused['message']), /emailFrom/);
    const noKey = await stack.client({
      clientId: 'no-key',
      deviceTypes: ['EMAIL'],
      emailFrom: 'no-reply@acme.example',
    });
    const unsigned = assertFailure(
      await stack.call('POST', BASE, noKey, body),
      403,
      'EMAIL_NOT_ALLOWED',
    );
    assert.match(String(unsigned['message']), /DKIM key/);
    assert.equal((await stack.outbox(body.email)).length, 0, 'nothing was sent');
  });

  it('keeps addresses out of the audit trail, the logs and its own Redis keys: only j•••@domain', async () => {
    const email = 'jane.secret@acme.example';
    const authId = await sendTo(email);
    await stack.call('POST', `${BASE}/${authId}`, token, { otp: '000000' });
    const events = await stack.call('GET', '/admin/v1/events?limit=50', token);
    const mine = (events.body['events'] as Record<string, string>[]).filter(
      (e) => e['authId'] === authId,
    );
    assert.deepEqual(mine.map((e) => e['type']).sort(), ['issued', 'sent', 'validation_failed']);
    for (const event of mine) {
      assert.equal(event['email'], 'j•••@acme.example');
      assert.equal(event['phone'], undefined);
    }
    const logs = log.lines.join('\n');
    assert.ok(logs.includes('j•••@acme.example'), 'the logs name the masked address');
    for (const secret of ['jane.secret', 'BEGIN PRIVATE KEY', 'BEGIN RSA']) {
      assert.equal(logs.includes(secret), false, `no ${secret} in the logs`);
    }
    const stored =
      (await redisText(redis.client(), '{mfa}:*')) + (await redisText(redis.client(), 'mfa:*'));
    assert.equal(
      stored.includes('jane.secret'),
      false,
      'no address in the bridge’s keys or values',
    );
  });

  it('counts email codes on /metrics like SMS ones, with no country', async () => {
    const metrics = await (await fetch(`${stack.bridge.url}/metrics`)).text();
    assert.match(
      metrics,
      /mfa_codes_issued_total\{application="mail",country="",kind="live"\} [1-9]/,
    );
  });
});

describe('rate limits on email sends', () => {
  const redis = useRedis();
  let stack: DeviceAuthStack;
  let token: string;
  const send = (email: string, userName = 'jdoe') =>
    stack.call('POST', BASE, token, { userName, email, deviceType: 'email' });

  before(async () => {
    stack = await startDeviceAuthStack(redis, {
      RATE_PHONE_SENDS: '2',
      RATE_COUNTRY_SENDS_PER_MINUTE: '4',
    });
    token = await emailApplication(stack, 'limited');
  });

  it('limits sends per address, whatever the case of the address', async () => {
    assert.equal((await send('Kim@acme.example', 'a')).status, 201);
    assert.equal((await send('kim@ACME.example', 'b')).status, 201);
    const third = await send('KIM@acme.example', 'c');
    assertFailure(third, 429, 'RATE_LIMITED');
    assert.ok(Number(third.headers.get('retry-after')) > 0);
  });

  it('limits sends per domain, and another domain is still served', async () => {
    for (const local of ['lee', 'ann', 'bob', 'cid']) {
      assert.equal((await send(`${local}@mail.example`)).status, 201);
    }
    assertFailure(await send('dan@mail.example'), 429, 'RATE_LIMITED');
    assert.equal((await send('dan@other.example')).status, 201);
  });
});
