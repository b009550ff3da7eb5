import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { before, beforeEach, describe, it } from 'node:test';
import { freePort } from '@sms-mfa/common/redis-server';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { startDeviceAuthStack, type DeviceAuthStack } from '../support/deviceauth-stack.js';
import { testPhone } from '../support/otp-fixtures.js';
import {
  onlyOutcome,
  ScriptHarness,
  SignIn,
  type RenderedPage,
  type ScriptRun,
  type ScriptState,
} from './harness/script-harness.js';

const CLIENT_ID = 'keycloak-login';
const CLIENT_SECRET = `secret-${CLIENT_ID}-0123456789`;
const DEVICE_AUTHS = '/ciam-mfa/v2/deviceAuthentications';

describe('the Keycloak script authenticator against a real bridge', () => {
  const redis = useRedis();
  let stack: DeviceAuthStack;
  let harness: ScriptHarness;
  let index = 40;

  before(async () => {
    stack = await startDeviceAuthStack(redis);
    harness = new ScriptHarness();
    redis.defer(() => harness.close());
    await stack.client({ clientId: CLIENT_ID, brand: 'Acme' });
  });
  // Each test starts with no bridge token in Keycloak's store, as after a restart.
  beforeEach(() => harness.singleUseObjects.clear());

  /** A user with a fresh number (per-phone limits and outbox reads never mix tests), signing in. */
  function signIn(overrides: Partial<ScriptState> = {}): { phone: string; flow: SignIn } {
    const phone = testPhone(index++);
    const realmAttributes = {
      smsMfaBridgeUrl: stack.bridge.url,
      smsMfaClientId: CLIENT_ID,
      smsMfaClientSecret: CLIENT_SECRET,
      ...overrides.realmAttributes,
    };
    const state: ScriptState = {
      user: { username: `user${index}`, attributes: { mobile_number: phone } },
      locale: 'en',
      ...overrides,
      realmAttributes,
    };
    return { phone, flow: new SignIn(harness, state) };
  }

  /** The code page a run challenged with. */
  function codePage(
    run: ScriptRun,
    type: 'challenge' | 'failureChallenge' = 'challenge',
  ): RenderedPage {
    const outcome = onlyOutcome(run);
    assert.equal(outcome.type, type, JSON.stringify(outcome));
    assert.equal(outcome.page?.template, 'login-sms.ftl');
    return outcome.page;
  }

  const sends = (run: ScriptRun) =>
    run.http.filter((h) => h.method === 'POST' && h.url.endsWith(DEVICE_AUTHS));
  const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  it('sends a code, shows the masked number on login-sms.ftl, and succeeds with the right code', async () => {
    const { phone, flow } = signIn();
    const first = await flow.authenticate();
    const page = codePage(first);
    assert.match(page.attributes['maskedPhone'] ?? '', /^\+1\d\*+\d{3}$/);
    assert.equal(page.attributes['attemptsRemaining'], '5');
    assert.equal(page.attributes['resendsRemaining'], '4');
    assert.ok(
      Number(page.attributes['resendCooldownSeconds']) > 0 &&
        Number(page.attributes['resendCooldownSeconds']) <= 30,
    );
    assert.deepEqual(sends(first)[0]?.body, {
      userName: `user${index}`,
      phoneNumber: phone,
      deviceType: 'SMS',
      locale: 'en',
      ipAddress: '127.0.0.1',
    });
    assert.ok(
      first.http.every((h) => h.timeoutMs === 10000 && h.connectTimeoutMs === 10000),
      'every call has timeouts',
    );
    assert.match(flow.notes['smsMfaAuthId'] ?? '', /^[0-9a-f-]{36}$/);

    const code = await stack.codeSentTo(phone);
    const done = await flow.submit(code);
    assert.equal(onlyOutcome(done).type, 'success');
    assert.equal(flow.notes['smsMfaAuthId'], undefined);
    const logs = [...first.logs, ...done.logs].map((l) => l.message).join('\n');
    for (const secret of [phone, code, CLIENT_SECRET]) {
      assert.ok(!logs.includes(secret), `logs must not hold ${secret}`);
    }
  });

  it('does not send a second SMS when the page is reloaded', async () => {
    const { phone, flow } = signIn();
    await flow.authenticate();
    await stack.codeSentTo(phone);
    const reload = await flow.authenticate();
    assert.equal(codePage(reload).attributes['resendsRemaining'], '4');
    assert.equal(sends(reload).length, 0);
    await sleep(300);
    assert.equal((await stack.outbox(phone)).length, 1);
  });

  it('re-renders a wrong code with smsAuthCodeInvalid on the field and the attempts left, as a failed credential', async () => {
    const { phone, flow } = signIn();
    await flow.authenticate();
    const run = await flow.submit(wrong(await stack.codeSentTo(phone)));
    const page = codePage(run, 'failureChallenge');
    assert.equal(onlyOutcome(run).error, 'INVALID_CREDENTIALS');
    assert.deepEqual(
      page.fieldErrors.map((e) => [e.field, e.message]),
      [['code', 'smsAuthCodeInvalid']],
    );
    assert.equal(page.attributes['attemptsRemaining'], '4');
    assert.equal(page.error, null, 'never the global "invalid username or password"');
    assert.deepEqual(run.events, ['invalid_user_credentials']);
    // Keycloak 26.4+ counts a script's failed step only when told it was an otp failure.
    assert.deepEqual(run.bruteForce, [['otp']]);
  });

  it('leaves brute-force counting to Keycloak before 26.4, whose detector takes no categories', async () => {
    const { phone, flow } = signIn({ simpleHttp: 'legacy' });
    await flow.authenticate();
    const run = await flow.submit(wrong(await stack.codeSentTo(phone)));
    assert.equal(codePage(run, 'failureChallenge').attributes['attemptsRemaining'], '4');
    assert.deepEqual(run.bruteForce, []);
    assert.deepEqual(run.events, ['invalid_user_credentials']);
  });

  it('reports nothing to brute-force detection when the realm has it off', async () => {
    const { phone, flow } = signIn({ bruteForceProtected: false });
    await flow.authenticate();
    const run = await flow.submit(wrong(await stack.codeSentTo(phone)));
    assert.deepEqual(run.bruteForce, []);
  });

  it('asks for the code when none is typed, and refuses letters without spending an attempt', async () => {
    const { phone, flow } = signIn();
    await flow.authenticate();
    await stack.codeSentTo(phone);
    const empty = await flow.submit('  ');
    assert.deepEqual(
      codePage(empty).fieldErrors.map((e) => e.message),
      ['smsAuthCodeRequired'],
    );
    const letters = await flow.submit('12ab56');
    const page = codePage(letters);
    assert.deepEqual(
      page.fieldErrors.map((e) => e.message),
      ['smsAuthCodeFormat'],
    );
    assert.equal(page.attributes['attemptsRemaining'], '5');
  });

  it('shows the cooldown from Retry-After for a resend inside it, and sends nothing', async () => {
    const { phone, flow } = signIn();
    await flow.authenticate();
    await stack.codeSentTo(phone);
    const run = await flow.resend();
    const page = codePage(run);
    assert.equal(page.attributes['resendCooldownSeconds'], '30');
    assert.deepEqual(
      page.fieldErrors.map((e) => [e.message, e.params]),
      [['smsAuthResendTooSoon', ['30']]],
    );
    await sleep(300);
    assert.equal((await stack.outbox(phone)).length, 1);
  });

  it('resends the same code after the cooldown, with a longer cooldown next time', async () => {
    const { phone, flow } = signIn();
    await flow.authenticate();
    const code = await stack.codeSentTo(phone);
    stack.clock.advance(30_000);
    const run = await flow.resend();
    const page = codePage(run);
    assert.equal(page.info?.message, 'smsAuthResent');
    assert.equal(page.attributes['resendsRemaining'], '3');
    assert.equal(await stack.codeSentTo(phone, 1), code);
    assert.equal((await stack.outbox(phone)).length, 2);
    assert.equal(onlyOutcome(await flow.submit(code)).type, 'success');
  });

  it('offers a new code when the code has expired, and the new code signs in', async () => {
    const { phone, flow } = signIn();
    await flow.authenticate();
    const oldCode = await stack.codeSentTo(phone);
    const oldAuthId = flow.notes['smsMfaAuthId'];
    stack.clock.advance(300_000);
    const expired = codePage(await flow.submit(oldCode));
    assert.deepEqual(
      expired.fieldErrors.map((e) => e.message),
      ['smsAuthCodeExpired'],
    );
    assert.equal(expired.attributes['resendCooldownSeconds'], '0');
    assert.ok(Number(expired.attributes['resendsRemaining']) >= 1, 'the resend button is offered');

    const fresh = await flow.resend();
    codePage(fresh);
    assert.notEqual(flow.notes['smsMfaAuthId'], oldAuthId, 'a new authentication');
    assert.equal(sends(fresh).length, 1);
    const newCode = await stack.codeSentTo(phone, 1);
    assert.equal(onlyOutcome(await flow.submit(newCode)).type, 'success');
  });

  it('fails the flow as a brute-force event after the last wrong code, and a reload stays locked', async () => {
    const { phone, flow } = signIn();
    await flow.authenticate();
    const bad = wrong(await stack.codeSentTo(phone));
    for (const left of ['4', '3', '2', '1']) {
      assert.equal(
        codePage(await flow.submit(bad), 'failureChallenge').attributes['attemptsRemaining'],
        left,
      );
    }
    const last = await flow.submit(bad);
    const outcome = onlyOutcome(last);
    assert.equal(outcome.type, 'failure');
    assert.equal(outcome.error, 'INVALID_CREDENTIALS');
    assert.equal(outcome.page?.kind, 'errorPage');
    assert.equal(outcome.page?.error?.message, 'smsAuthLocked');
    assert.deepEqual(last.events, ['invalid_user_credentials']);
    assert.deepEqual(last.bruteForce, [['otp']], 'the last wrong code counts too');

    const reload = await flow.authenticate();
    assert.equal(onlyOutcome(reload).type, 'failure');
    assert.equal(sends(reload).length, 0, 'a reload must not buy five more attempts');
    assert.deepEqual(reload.events, [], 'a reload is no wrong code');
    assert.deepEqual(reload.bruteForce, []);
  });

  it('skips the step for a user without a phone when smsMfaMissingPhone is skip, from the realm or the environment', async () => {
    const byRealm = signIn({
      user: { username: 'nophone1' },
      realmAttributes: { smsMfaMissingPhone: 'skip' },
      requirement: 'ALTERNATIVE',
    });
    const run = await byRealm.flow.authenticate();
    assert.equal(onlyOutcome(run).type, 'attempted');
    assert.equal(run.http.length, 0);
    const byEnv = signIn({
      user: { username: 'nophone2' },
      env: { SMS_MFA_MISSING_PHONE: 'skip' },
      requirement: 'ALTERNATIVE',
    });
    assert.equal(onlyOutcome(await byEnv.flow.authenticate()).type, 'attempted');
  });

  it('lets a user without a phone through a REQUIRED step when skipping, since attempted() would fail the flow', async () => {
    const { flow } = signIn({
      user: { username: 'nophone4' },
      realmAttributes: { smsMfaMissingPhone: 'skip' },
    });
    const run = await flow.authenticate();
    assert.equal(onlyOutcome(run).type, 'success');
    assert.equal(run.http.length, 0, 'nothing is sent');
  });

  it('shows smsAuthNoPhone for a user without a phone by default', async () => {
    const { flow } = signIn({ user: { username: 'nophone3', attributes: { mobile_number: ' ' } } });
    const outcome = onlyOutcome(await flow.authenticate());
    assert.equal(outcome.type, 'challenge');
    assert.equal(outcome.page?.kind, 'errorPage');
    assert.equal(outcome.page?.error?.message, 'smsAuthNoPhone');
  });

  it('reads the phone from the attribute smsMfaPhoneAttribute names', async () => {
    const phone = testPhone(90);
    const { flow } = signIn({
      user: { username: 'other-attr', attributes: { phone } },
      realmAttributes: { smsMfaPhoneAttribute: 'phone' },
    });
    codePage(await flow.authenticate());
    assert.ok(await stack.codeSentTo(phone));
  });

  it('shows a clear error page, and throws nothing, when the bridge is down', async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const { flow } = signIn({ realmAttributes: { smsMfaBridgeUrl: closed } });
    const run = await flow.authenticate();
    const outcome = onlyOutcome(run);
    assert.equal(outcome.type, 'challenge');
    assert.equal(outcome.page?.kind, 'errorPage');
    assert.equal(outcome.page?.status, 'SERVICE_UNAVAILABLE');
    assert.equal(outcome.page?.error?.message, 'smsAuthUnavailable');
    assert.ok(run.logs.some((l) => l.level === 'error'));
  });

  it('shows the same page when the bridge goes down between the code and its check', async () => {
    const { phone, flow } = signIn();
    await flow.authenticate();
    const code = await stack.codeSentTo(phone);
    const down = new SignIn(harness, {
      user: { username: 'x' },
      realmAttributes: {
        smsMfaBridgeUrl: `http://127.0.0.1:${await freePort()}`,
        smsMfaClientId: CLIENT_ID,
        smsMfaClientSecret: CLIENT_SECRET,
      },
    });
    down.notes = flow.notes;
    const outcome = onlyOutcome(await down.submit(code));
    assert.equal(outcome.page?.error?.message, 'smsAuthUnavailable');
  });

  it('logs the refused client, never its secret, when the token endpoint says no', async () => {
    const { flow } = signIn({ realmAttributes: { smsMfaClientSecret: 'not-the-secret-0000' } });
    const run = await flow.authenticate();
    assert.equal(onlyOutcome(run).page?.error?.message, 'smsAuthUnavailable');
    const logs = run.logs.map((l) => l.message).join('\n');
    assert.match(logs, new RegExp(`refused client ${CLIENT_ID}: HTTP 401`));
    assert.ok(!logs.includes('not-the-secret'));
  });

  it('takes the token from smsMfaTokenUrl when set, e.g. a Keycloak realm', async () => {
    const { phone, flow } = signIn({
      realmAttributes: {
        smsMfaTokenUrl: `${stack.bridge.url}/ciam-mfa/v2/get/token`,
        smsMfaTokenRealm: 'nowhere',
      },
    });
    const run = await flow.authenticate();
    codePage(run);
    assert.equal(run.http[0]?.url, `${stack.bridge.url}/ciam-mfa/v2/get/token`);
    assert.ok(await stack.codeSentTo(phone));
  });

  it('works with the older org.keycloak.broker.provider.util.SimpleHttp (Keycloak before 26.4)', async () => {
    const { phone, flow } = signIn({ simpleHttp: 'legacy' });
    const run = await flow.authenticate();
    codePage(run);
    assert.ok(run.http.every((h) => h.timeoutMs === 10000 && h.connectTimeoutMs === 10000));
    assert.equal(onlyOutcome(await flow.submit(await stack.codeSentTo(phone))).type, 'success');
  });
});
