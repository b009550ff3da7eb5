import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where the browser tests leave their screenshots (git-ignored). */
export const ARTIFACTS = fileURLToPath(new URL('../../artifacts/browser/', import.meta.url));
const AXE_SOURCE = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);
const CHROMIUM = '/usr/bin/chromium';

/** Debian's Chromium, headless, without a downloaded browser. */
export async function launchChromium(): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

/** Page code as strings: this workspace compiles without the DOM library. */
async function axeProblems(page: Page): Promise<string[]> {
  // page.evaluate runs outside the page's CSP, so axe needs no inline script tag.
  if (!(await page.evaluate('typeof window.axe'))?.toString().includes('object')) {
    await page.evaluate(AXE_SOURCE);
  }
  return (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`)) as string[];
}

/** Every input, select and textarea that is not hidden has a label. */
async function unlabelled(page: Page): Promise<string[]> {
  return (await page.evaluate(`[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
    .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
    .map((el) => el.id || el.name)`)) as string[];
}

/**
 * Checks one state of a page and keeps a screenshot of it: axe finds nothing serious or
 * critical, every field has a label, and nothing sticks out sideways.
 */
export async function checkState(
  page: Page,
  name: string,
  options: { javaScriptEnabled?: boolean } = {},
): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  // With JavaScript off, nothing can run in the page (not even axe): the same markup is checked with it on.
  if (options.javaScriptEnabled === false) {
    return;
  }
  assert.deepEqual(await axeProblems(page), [], `${name}: accessibility`);
  assert.deepEqual(await unlabelled(page), [], `${name}: fields without a label`);
  const [scrollWidth, innerWidth] = (await page.evaluate(
    '[document.documentElement.scrollWidth, window.innerWidth]',
  )) as [number, number];
  assert.ok(
    scrollWidth <= innerWidth,
    `${name}: ${scrollWidth}px wide in a ${innerWidth}px window`,
  );
}

/** Collects Content-Security-Policy violations the page reports on its console. */
export function watchCsp(page: Page): string[] {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) {
      violations.push(message.text());
    }
  });
  return violations;
}
