// The SMS code page in a real Chromium: layout at phone and desktop widths (screenshots land in
// tests/artifacts/theme/), the countdown script, the page without JavaScript, and axe-core.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { workspaceDir } from '../../src/theme-jar.js';
import { messageText } from '../support/messages.js';
import {
  ensureDir,
  loginThemeDir,
  missingTools,
  renderAll,
  stubDir,
  type RenderJob,
} from '../support/render-template.js';

const artifacts = ensureDir(join(workspaceDir, '..', 'tests', 'artifacts', 'theme'));
const url = {
  resourcesPath: pathToFileURL(join(loginThemeDir, 'resources')).href,
  resourcesCommonPath: pathToFileURL(stubDir).href,
};
const ours = { maskedPhone: '+55*******717', resendCooldownSeconds: 30, attemptsRemaining: 5 };
const invalid = { key: 'smsAuthCodeInvalid', field: 'code' } as const;

const states: Record<string, RenderJob> = {
  'code-sent': { attributes: ours },
  'invalid-code': {
    attributes: { ...ours, attemptsRemaining: 2, resendCooldownSeconds: 12 },
    messages: [invalid],
  },
  expired: {
    attributes: { ...ours, resendCooldownSeconds: 0 },
    messages: [{ key: 'smsAuthCodeExpired', field: 'code' }],
  },
  'resend-ready': { attributes: { ...ours, resendCooldownSeconds: 0 } },
  'resent-info': { attributes: ours, messages: [{ key: 'smsAuthResent', type: 'success' }] },
  'no-more-sends': { attributes: { ...ours, resendCooldownSeconds: 0, resendsRemaining: 0 } },
  'qriar-invalid': { messages: [{ key: 'smsAuthCodeInvalid' }] },
  'countdown-2s': { attributes: { ...ours, resendCooldownSeconds: 2 } },
  'de-invalid': {
    locale: 'de',
    attributes: { ...ours, attemptsRemaining: 1 },
    messages: [invalid],
  },
  'pt-BR': { locale: 'pt-BR', attributes: ours },
};
const files = new Map<string, string>();
let browser: Browser;

const chromiumPath = '/usr/bin/chromium';
// The same switch scripts/ensure-system-deps.sh honours for machines without a browser.
const skip = process.env.SMS_MFA_SKIP_BROWSER === '1' ? 'SMS_MFA_SKIP_BROWSER=1' : false;

before(async () => {
  if (skip) {
    return;
  }
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing (apt-get install chromium)`);
  }
  const missing = missingTools();
  if (missing) {
    throw new Error(`the theme tests need a JDK and FreeMarker: ${missing}`);
  }
  const names = Object.keys(states);
  const html = renderAll(names.map((name) => ({ ...states[name], url })));
  names.forEach((name, i) => {
    const file = join(artifacts, `${name}.html`);
    writeFileSync(file, html[i]!);
    files.set(name, pathToFileURL(file).href);
  });
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

after(async () => {
  await browser?.close();
});

async function open(state: string, width: number, javaScriptEnabled = true): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 740 }, javaScriptEnabled });
  const page = await context.newPage();
  await page.goto(files.get(state)!);
  return page;
}

/** Fails when anything sticks out sideways: the page must never scroll horizontally. */
async function assertFitsWidth(page: Page, label: string): Promise<void> {
  // Page code as strings: this workspace compiles without the DOM library.
  const [scrollWidth, innerWidth] = (await page.evaluate(
    '[document.documentElement.scrollWidth, window.innerWidth]',
  )) as [number, number];
  assert.ok(
    scrollWidth <= innerWidth,
    `${label}: ${scrollWidth}px wide in a ${innerWidth}px window`,
  );
  for (const selector of ['#code', '#kc-login']) {
    const box = await page.locator(selector).boundingBox();
    assert.ok(
      box && box.x >= 0 && box.x + box.width <= innerWidth,
      `${label}: ${selector} off screen`,
    );
  }
}

describe('the SMS code page in Chromium', { skip }, () => {
  it('lays out every state at 360 px and 1280 px without sideways scrolling, and saves screenshots', async () => {
    for (const width of [360, 1280]) {
      const page = await open('code-sent', width);
      for (const state of Object.keys(states)) {
        await page.goto(files.get(state)!);
        await assertFitsWidth(page, `${state} at ${width}px`);
        await page.screenshot({ path: join(artifacts, `${state}-${width}.png`), fullPage: true });
      }
      await page.context().close();
    }
  });

  it('puts the cursor in the code field', async () => {
    const page = await open('code-sent', 360);
    // Chromium runs autofocus in a rendering step after load, later still on a busy machine: wait for it.
    await page
      .waitForFunction("document.activeElement && document.activeElement.id === 'code'", null, {
        timeout: 5000,
      })
      .catch(() => undefined);
    assert.equal(
      await page.evaluate('document.activeElement && document.activeElement.id'),
      'code',
    );
    await page.context().close();
  });

  it('counts the resend cooldown down and then enables the button', async () => {
    const page = await open('countdown-2s', 360);
    const button = page.locator('#kc-sms-resend');
    assert.equal(await button.isDisabled(), true);
    assert.match((await button.textContent()) ?? '', /^Resend code in [12] s$/);
    await page.waitForFunction("!document.getElementById('kc-sms-resend').disabled", null, {
      timeout: 5000,
    });
    assert.equal(await button.textContent(), 'Resend code');
    assert.equal(
      await page.locator('#kc-sms-resend-status').textContent(),
      messageText('en', 'smsAuthResendReady'),
    );
    await page.context().close();
  });

  it('keeps the resend button disabled with its countdown and explains reloading when JavaScript is off', async () => {
    const page = await open('code-sent', 360, false);
    const button = page.locator('#kc-sms-resend');
    assert.equal(await button.isDisabled(), true);
    assert.equal(await button.textContent(), 'Resend code in 30 s');
    // DevTools' "scripts off" still parses as a scripting browser, so <noscript> shows up as text here.
    assert.match(
      (await page.locator('noscript').textContent()) ?? '',
      /Reload this page in 30 seconds/,
    );
    await page.screenshot({ path: join(artifacts, 'no-javascript-360.png'), fullPage: true });
    await page.context().close();
  });

  it('has no accessibility violations that axe-core finds', async () => {
    const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
    for (const state of ['code-sent', 'invalid-code', 'qriar-invalid']) {
      const page = await open(state, 360);
      await page.addScriptTag({ path: axePath });
      const violations = (await page.evaluate(
        'axe.run().then((r) => r.violations.map((v) => v.id))',
      )) as string[];
      assert.deepEqual(violations, [], `${state}: ${violations.join(', ')}`);
      await page.context().close();
    }
  });
});
