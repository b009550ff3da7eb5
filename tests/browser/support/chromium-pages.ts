// What every browser test file starts with: the pages stack on the file's Redis and Debian's
// Chromium, started together before the tests, and a fresh browser context per page opened.
import { existsSync } from 'node:fs';
import { after, before } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { RedisHarness } from '../../support/redis-harness.js';
import { launchChromium, watchCsp } from './page-checks.js';
import { startPagesStack, type PagesStack } from './pages-stack.js';

/** The stack and the browser of one test file, ready once its `before` hooks ran. */
export interface ChromiumPages {
  readonly stack: PagesStack;
  readonly browser: Browser;
  /** Opens `path` of the stack in a new context (phone-sized unless `width`), watching CSP violations. */
  open(
    path: string,
    options?: { width?: number; javaScriptEnabled?: boolean; locale?: string },
  ): Promise<{ page: Page; csp: string[] }>;
}

/** Registers the hooks that start the stack and Chromium, and close every context and the browser after. */
export function useChromiumPages(
  redis: RedisHarness,
  env?: Parameters<typeof startPagesStack>[1],
): ChromiumPages {
  let stack: PagesStack | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  before(async () => {
    if (!existsSync('/usr/bin/chromium')) {
      throw new Error('/usr/bin/chromium is missing (apt-get install chromium)');
    }
    [stack, browser] = await Promise.all([startPagesStack(redis, env), launchChromium()]);
  });
  after(async () => {
    await Promise.all(contexts.map((c) => c.close()));
    await browser?.close();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) {
      throw new Error(
        'the browser stack is not started yet (use it inside a test or a later hook)',
      );
    }
    return value;
  };
  return {
    get stack() {
      return started(stack);
    },
    get browser() {
      return started(browser);
    },
    async open(path, options = {}) {
      const context = await started(browser).newContext({
        viewport: { width: options.width ?? 360, height: 740 },
        javaScriptEnabled: options.javaScriptEnabled ?? true,
        locale: options.locale ?? 'en-US',
      });
      contexts.push(context);
      const page = await context.newPage();
      const csp = watchCsp(page);
      await page.goto(`${started(stack).url}${path}`);
      return { page, csp };
    },
  };
}
