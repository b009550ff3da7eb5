// The admin overview (/admin) in a real Chromium, against a real Redis, the reference API (outbox
// provider) and the bridge in-process. Screenshots: tests/artifacts/browser/admin-*.png.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { useRedis } from '../support/redis-harness.js';
import { useChromiumPages } from './support/chromium-pages.js';
import { checkState, watchCsp } from './support/page-checks.js';
import type { PagesStack } from './support/pages-stack.js';

const skip = process.env['SMS_MFA_SKIP_BROWSER'] === '1' ? 'SMS_MFA_SKIP_BROWSER=1' : false;
const OPS = { clientId: 'ops', secret: 'ops-secret-0123456789-abcdef' } as const;

/**
 * Errors the page logs or throws, less Chromium's notes on two answers that are by design: the
 * 401 of a refused sign-in (the form again), and the 404 of the favicon it asks for unbidden.
 */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  const expected = (url: string, text: string) =>
    url.endsWith('/favicon.ico') || (url.endsWith('/admin/login') && text.includes('401'));
  page.on('console', (m) => {
    if (m.type() === 'error' && !expected(m.location().url, m.text())) {
      errors.push(`${m.text()} (${m.location().url})`);
    }
  });
  page.on('pageerror', (err) => void errors.push(err.message));
  return errors;
}

describe('the admin overview in Chromium', { skip, timeout: 120_000 }, () => {
  const redis = useRedis();
  const chromium = useChromiumPages(redis);
  let stack: PagesStack;
  let browser: Browser;

  before(async () => {
    ({ stack, browser } = chromium);
    await stack.bridge.apps.create(
      { clientId: OPS.clientId, name: 'Operations', scopes: ['mfa:admin'] },
      OPS.secret,
    );
    // Some traffic to chart: codes to India, the UK and the US, two of them entered.
    for (const phone of ['+918212345212', '+447911123456', '+14155550188']) {
      await stack.issue(phone);
    }
    await enterCode('shop-1', '+918212345212');
    await enterCode('shop-2', '+447911123456');
  });

  /** Enters the code the outbox holds for `phone` through the CIAM API, as `clientId`. */
  async function enterCode(clientId: string, phone: string): Promise<void> {
    const token = (await (
      await fetch(`${stack.url}/realms/mfa/protocol/openid-connect/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: `secret-${clientId}-0123456789`,
        }),
      })
    ).json()) as { access_token: string };
    const code = await stack.codeSentTo(phone);
    const events = await stack.bridge.context.otp.audit.page(undefined, 50);
    const authId = events.events.find((e) => e['application'] === clientId)?.['authId'];
    const res = await fetch(`${stack.url}/ciam-mfa/v2/deviceAuthentications/${authId}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token.access_token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ otp: code }),
    });
    assert.equal(res.status, 200, await res.text());
  }

  it('signs in with an mfa:admin client, shows the charts and tables, and signs out', async () => {
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'en-US',
    });
    try {
      const page = await context.newPage();
      const csp = watchCsp(page);
      const errors = watchErrors(page);
      await page.goto(`${stack.url}/admin`);
      await checkState(page, 'admin-1-sign-in');
      await page.fill('#client-id', OPS.clientId);
      await page.fill('#client-secret', 'wrong-secret');
      await page.click('#admin-login');
      assert.match((await page.textContent('#admin-error')) ?? '', /cannot open the overview/);
      await checkState(page, 'admin-2-refused');
      await page.fill('#client-secret', OPS.secret);
      await page.click('#admin-login');
      await page.waitForSelector('#signed-in-as');
      assert.equal((await page.textContent('[data-figure="issued"]'))?.trim(), '3');
      assert.equal((await page.textContent('[data-figure="validated"]'))?.trim(), '2');
      assert.equal(await page.locator('svg.chart').count(), 9);
      assert.equal(await page.locator('svg.chart rect.bar').count(), 8 * 24);
      await page.click('.hour-table summary');
      assert.equal(await page.locator('#hour-table tbody tr').count(), 24);
      assert.match((await page.textContent('#sends')) ?? '', /outbox\s*sent/);
      await checkState(page, 'admin-3-overview');
      await page.click('a[href="/admin?application=shop-1"]');
      assert.equal((await page.textContent('[data-figure="issued"]'))?.trim(), '1');
      assert.equal((await page.textContent('[data-figure="conversion"]'))?.trim(), '100%');
      await page.setViewportSize({ width: 360, height: 740 });
      await checkState(page, 'admin-4-application-phone');
      await page.click('#admin-logout');
      await page.waitForSelector('#admin-login');
      assert.deepEqual(csp, []);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
