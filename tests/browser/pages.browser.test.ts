// The hosted code-entry page and the demo app in a real Chromium, against a real Redis, the
// reference API (outbox provider) and the bridge in-process. Screenshots: tests/artifacts/browser/.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useRedis } from '../support/redis-harness.js';
import { useChromiumPages } from './support/chromium-pages.js';
import { checkState } from './support/page-checks.js';
import { DEMO_PHONE, type PagesStack } from './support/pages-stack.js';

const skip = process.env['SMS_MFA_SKIP_BROWSER'] === '1' ? 'SMS_MFA_SKIP_BROWSER=1' : false;
let phones = 0;
const nextPhone = () => `+1415555${String(200 + ++phones).padStart(4, '0')}`;
const wrong = (code: string) => code.replace(/^./, (d) => String((Number(d) + 1) % 10));

describe('signing in through the hosted pages in Chromium', { skip, timeout: 120_000 }, () => {
  const redis = useRedis();
  const chromium = useChromiumPages(redis);
  const open = chromium.open;
  let stack: PagesStack;
  before(() => {
    stack = chromium.stack;
  });

  it('walks through the demo: sign in, password, the code from the dev outbox, Personal info', async () => {
    const { page, csp } = await open('/demo');
    await checkState(page, 'demo-1-landing');
    await page.click('#sign-in');
    assert.match((await page.textContent('#demo-hint')) ?? '', /jdoe \/ demo/);
    await checkState(page, 'demo-2-login');
    await page.fill('#username', 'jdoe');
    await page.fill('#password', 'demo');
    await page.click('#login');
    await page.waitForURL(/\/verify\/[0-9a-f-]{36}\?return_to=/);
    const sms = (await page.textContent('#dev-outbox .message-text')) ?? '';
    const code = /\b(\d{6})\b/.exec(sms)?.[1] ?? '';
    assert.ok(code, `a code in the outbox panel: ${sms}`);
    assert.match((await page.textContent('#code-instruction')) ?? '', /\+55\*+717/);
    await checkState(page, 'demo-3-code');
    await page.fill('#code', code);
    await page.click('#verify');
    await page.waitForURL(/\/demo\/me$/);
    assert.match((await page.textContent('h1')) ?? '', /Personal info/);
    assert.match(
      (await page.textContent('#personal-info')) ?? '',
      /John Doe[\s\S]*jdoe@example\.com[\s\S]*\+5511966191717/,
    );
    await checkState(page, 'demo-4-personal-info');
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({
      path: 'tests/artifacts/browser/demo-4-personal-info-1280.png',
      fullPage: true,
    });
    assert.deepEqual(csp, []);
  });

  it('says how many attempts are left after a wrong code, then accepts the right one', async () => {
    const phone = nextPhone();
    const authId = await stack.issue(phone);
    const code = await stack.codeSentTo(phone);
    const { page, csp } = await open(`/verify/${authId}`);
    await checkState(page, 'verify-1-code-sent');
    await page.fill('#code', wrong(code));
    await page.click('#verify');
    await page.waitForSelector('#code-error');
    assert.equal(await page.getAttribute('#code-errors', 'aria-live'), 'polite');
    assert.match((await page.textContent('#code-errors')) ?? '', /Incorrect code.*4 attempts left/);
    assert.equal(await page.getAttribute('#code', 'aria-invalid'), 'true');
    await checkState(page, 'verify-2-wrong-code');
    await page.fill('#code', `${code.slice(0, 3)} ${code.slice(3)}`);
    assert.equal(await page.inputValue('#code'), code, 'spaces are stripped as the code is pasted');
    await page.click('#verify');
    await page.waitForSelector('text=Your code is confirmed');
    await checkState(page, 'verify-3-verified');
    assert.deepEqual(csp, []);
  });

  it('names the address an email code went to, masked, and resends it as for SMS', async () => {
    const address = 'jane.doe@example.com';
    const authId = await stack.issue(address);
    const code = await stack.codeSentTo(address);
    const { page, csp } = await open(`/verify/${authId}`);
    assert.equal(
      (await page.textContent('#code-instruction'))?.trim(),
      'We sent a code to j•••@example.com. Enter it below.',
    );
    assert.equal((await page.textContent('h1'))?.trim(), 'Email code');
    assert.equal((await page.content()).includes('jane.doe'), false, 'never the whole address');
    await checkState(page, 'verify-email-1-code-sent');
    stack.clock.advance(4_000);
    await page.reload();
    await page.click('#resend');
    await page.waitForSelector('text=A new code is on its way.');
    assert.equal(await stack.codeSentTo(address, 1), code);
    await page.fill('#code', code);
    await page.click('#verify');
    await page.waitForSelector('text=Your code is confirmed');
    assert.deepEqual(csp, []);
  });

  it('keeps resend disabled with a countdown during the cooldown, and sends the same code again after it', async () => {
    const phone = nextPhone();
    const authId = await stack.issue(phone, { resendCooldownSeconds: 30 });
    const code = await stack.codeSentTo(phone);
    const { page } = await open(`/verify/${authId}`);
    assert.equal(await page.isDisabled('#resend'), true);
    assert.match((await page.textContent('#resend')) ?? '', /^Resend code in (30|29) s$/);
    await checkState(page, 'resend-1-cooldown');
    stack.clock.advance(31_000);
    await page.reload();
    assert.equal(await page.isDisabled('#resend'), false);
    await page.click('#resend');
    await page.waitForSelector('text=A new code is on its way.');
    assert.equal(await stack.codeSentTo(phone, 1), code);
    assert.match(
      (await page.textContent('#resend')) ?? '',
      /^Resend code in (60|59) s$/,
      'the next cooldown doubles',
    );
    await checkState(page, 'resend-2-sent-again');
  });

  it('ticks the countdown in the browser and enables resend when it runs out', async () => {
    const phone = nextPhone();
    const authId = await stack.issue(phone, { resendCooldownSeconds: 2 });
    const { page } = await open(`/verify/${authId}`);
    assert.equal(await page.isDisabled('#resend'), true);
    await page.waitForSelector('#resend:not([disabled])', { timeout: 5000 });
    assert.equal(await page.textContent('#resend'), 'Resend code');
    assert.equal(await page.textContent('#resend-status'), 'You can now request a new code.');
  });

  it('tells the user an expired code has expired and gets a new one through the demo', async () => {
    const { page } = await open('/demo/login');
    await page.fill('#username', 'jdoe');
    await page.fill('#password', 'demo');
    const before = (await stack.outbox(DEMO_PHONE)).length;
    await page.click('#login');
    await page.waitForURL(/\/verify\//);
    const code = await stack.codeSentTo(DEMO_PHONE, before);
    stack.clock.advance(301_000);
    await page.fill('#code', code);
    await page.click('#verify');
    await page.waitForSelector('text=This code has expired');
    await checkState(page, 'expired-1-expired');
    await page.click('#continue');
    await page.waitForURL(/\/verify\//);
    const fresh = await stack.codeSentTo(DEMO_PHONE, before + 1);
    await page.fill('#code', fresh);
    await page.click('#verify');
    await page.waitForURL(/\/demo\/me$/);
  });

  it('locks the authentication after the maximum number of wrong codes', async () => {
    const phone = nextPhone();
    const authId = await stack.issue(phone, { maxAttempts: 3 });
    const code = await stack.codeSentTo(phone);
    const { page } = await open(`/verify/${authId}`);
    for (let i = 0; i < 3; i++) {
      await page.fill('#code', wrong(code));
      await page.click('#verify');
      await page.waitForLoadState();
    }
    await page.waitForSelector('text=Too many incorrect codes');
    assert.equal(await page.locator('#code').count(), 0);
    await checkState(page, 'locked-1-locked');
  });

  it('verifies a code with JavaScript turned off', async () => {
    const phone = nextPhone();
    const authId = await stack.issue(phone);
    const code = await stack.codeSentTo(phone);
    const { page } = await open(`/verify/${authId}`, { javaScriptEnabled: false });
    assert.equal(await page.isDisabled('#resend'), true);
    assert.equal((await page.textContent('#resend'))?.trim(), 'Resend code in 3 s');
    await checkState(page, 'nojs-1-code-sent', { javaScriptEnabled: false });
    await page.fill('#code', code);
    await page.click('#verify');
    await page.waitForSelector('text=Your code is confirmed');
    await checkState(page, 'nojs-2-verified', { javaScriptEnabled: false });
  });

  it('shows the code page in German to a German browser', async () => {
    const phone = nextPhone();
    const authId = await stack.issue(phone);
    const { page } = await open(`/verify/${authId}`, { locale: 'de-DE' });
    assert.equal(await page.getAttribute('html', 'lang'), 'de');
    await checkState(page, 'verify-de');
  });
});

describe(
  'the demo opened at another loopback name than the public URL’s, in Chromium',
  { skip, timeout: 120_000 },
  () => {
    const redis = useRedis();
    const chromium = useChromiumPages(redis, (port) => ({
      BRIDGE_PUBLIC_URL: `http://localhost:${port}`,
    }));

    it('finishes the sign-in on 127.0.0.1, where the session cookie is, although the public URL says localhost', async () => {
      const { stack } = chromium;
      assert.match(stack.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const { page } = await chromium.open('/demo/login');
      await page.fill('#username', 'jdoe');
      await page.fill('#password', 'demo');
      await page.click('#login');
      await page.waitForURL(/\/verify\/[0-9a-f-]{36}\?return_to=/);
      await page.fill('#code', await stack.codeSentTo(DEMO_PHONE));
      await page.click('#verify');
      await page.waitForURL(/\/demo\/(me|login)/);
      assert.equal(page.url(), `${stack.url}/demo/me`);
      assert.match((await page.textContent('h1')) ?? '', /Personal info/);
      await checkState(page, 'demo-at-127-personal-info');
    });
  },
);
