// Authenticator apps (TOTP) in a real Chromium: the hosted code page for a TOTP sign-in, and the
// demo's "Set up an authenticator app" then a sign-in with it. The test is the phone: it computes
// the app's codes with otpauth from the secret the page shows. Screenshots: tests/artifacts/browser/.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { useRedis } from '../support/redis-harness.js';
import { useChromiumPages } from './support/chromium-pages.js';
import { checkState } from './support/page-checks.js';
import { DEMO_PHONE, type PagesStack } from './support/pages-stack.js';

const skip = process.env['SMS_MFA_SKIP_BROWSER'] === '1' ? 'SMS_MFA_SKIP_BROWSER=1' : false;
const STEP_MS = 30_000;

/** The code an authenticator app shows for `secret` at `ms`. */
const appCode = (secret: string, ms: number) =>
  TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: ms });

/** A CIAM client of its own over the stack's bridge: an application with TOTP enabled. */
async function ciamClient(stack: PagesStack, clientId: string) {
  const secret = `secret-${clientId}-0123456789`;
  await stack.bridge.apps.create(
    { clientId, name: 'Bank', brand: 'Acme Bank', deviceTypes: ['SMS', 'TOTP'] },
    secret,
  );
  const form = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: clientId,
    client_secret: secret,
  });
  const tokenRes = await fetch(`${stack.url}/realms/mfa/protocol/openid-connect/token`, {
    method: 'POST',
    body: form,
  });
  const { access_token: token } = (await tokenRes.json()) as { access_token: string };
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${stack.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(res.ok, `${method} ${path}: HTTP ${res.status}`);
    return (await res.json()) as Record<string, string>;
  };
}

describe('authenticator apps (TOTP) in Chromium', { skip, timeout: 120_000 }, () => {
  const redis = useRedis();
  const chromium = useChromiumPages(redis);
  const open = chromium.open;
  let stack: PagesStack;
  before(() => {
    stack = chromium.stack;
  });

  it('asks for the code from the authenticator app, offers no resend, refuses a used code and accepts the next', async () => {
    const ciam = await ciamClient(stack, 'totp-bank');
    const devices = '/ciam-mfa/v2/users/ana/devices';
    const device = await ciam('POST', devices, { deviceType: 'totp' });
    const secret = device['secret'] ?? '';
    const used = appCode(secret, stack.clock.now());
    await ciam('POST', `${devices}/${device['deviceId']}/activate`, { otp: used });
    stack.clock.advance(STEP_MS);
    const { authId } = await ciam('POST', '/ciam-mfa/v2/deviceAuthentications', {
      userName: 'ana',
      deviceType: 'TOTP',
    });
    const { page, csp } = await open(`/verify/${authId}`);
    assert.equal(await page.textContent('h1'), 'Authenticator app code');
    assert.equal(
      await page.textContent('#code-instruction'),
      'Enter the code from your authenticator app.',
    );
    assert.equal(await page.locator('#resend, #resend-exhausted').count(), 0);
    await checkState(page, 'totp-verify-1-code');
    await page.fill('#code', used);
    await page.click('#verify');
    await page.waitForSelector('#code-error');
    assert.match(
      (await page.textContent('#code-errors')) ?? '',
      /This code was already used\. Wait for the next code in your app\. 4 attempts left/,
    );
    await checkState(page, 'totp-verify-2-replayed');
    await page.fill('#code', appCode(secret, stack.clock.now()));
    await page.click('#verify');
    await page.waitForSelector('text=Your code is confirmed');
    await checkState(page, 'totp-verify-3-verified');
    assert.deepEqual(csp, []);
  });

  it('lets jdoe set up an authenticator app from Personal info (QR code shown), then sign in with it', async () => {
    const { page, csp } = await open('/demo/login');
    await page.fill('#username', 'jdoe');
    await page.fill('#password', 'demo');
    await page.click('#login');
    await page.waitForURL(/\/verify\//);
    await page.fill('#code', await stack.codeSentTo(DEMO_PHONE));
    await page.click('#verify');
    await page.waitForURL(/\/demo\/me$/);
    assert.match((await page.textContent('#totp-status')) ?? '', /No authenticator app/);
    await checkState(page, 'totp-demo-1-personal-info');

    await page.click('#totp-setup');
    await page.waitForSelector('#totp-qr svg');
    assert.equal(await page.getAttribute('#totp-qr', 'role'), 'img');
    const secret = ((await page.textContent('#totp-secret')) ?? '').trim();
    assert.match(secret, /^[A-Z2-7]{32}$/);
    await checkState(page, 'totp-demo-2-setup');
    await page.fill(
      '#totp-code',
      '000000' === appCode(secret, stack.clock.now()) ? '111111' : '000000',
    );
    await page.click('#totp-activate');
    await page.waitForSelector('#totp-code-error');
    await checkState(page, 'totp-demo-3-wrong-code');
    await page.fill('#totp-code', appCode(secret, stack.clock.now()));
    await page.click('#totp-activate');
    await page.waitForURL(/\/demo\/me\?totp=activated$/);
    assert.match((await page.textContent('#totp-notice')) ?? '', /authenticator app is set up/);
    await checkState(page, 'totp-demo-4-activated');

    await page.click('#sign-out');
    await page.goto(`${stack.url}/demo/login`);
    await page.fill('#username', 'jdoe');
    await page.fill('#password', 'demo');
    const smsBefore = (await stack.outbox(DEMO_PHONE)).length;
    await page.click('#login');
    await page.waitForURL(/\/demo\/choose$/);
    assert.equal(await page.isChecked('#method-totp'), true);
    assert.match((await page.textContent('label[for=method-sms]')) ?? '', /\+55\*+717/);
    await checkState(page, 'totp-demo-5-choose');
    await page.click('#choose');
    await page.waitForURL(/\/verify\/[0-9a-f-]{36}\?return_to=/);
    assert.match((await page.textContent('#code-instruction')) ?? '', /authenticator app/);
    assert.equal(await page.locator('#resend, #dev-outbox').count(), 0);
    await checkState(page, 'totp-demo-6-code');
    stack.clock.advance(STEP_MS); // the activation used the current step
    await page.fill('#code', appCode(secret, stack.clock.now()));
    await page.click('#verify');
    await page.waitForURL(/\/demo\/me$/);
    assert.match((await page.textContent('main')) ?? '', /code from your authenticator app/);
    assert.match((await page.textContent('#totp-status')) ?? '', /authenticator app is set up/);
    assert.equal((await stack.outbox(DEMO_PHONE)).length, smsBefore, 'no SMS for this sign-in');
    await checkState(page, 'totp-demo-7-personal-info');
    assert.deepEqual(csp, []);
  });
});
