// The steps of a sign-in through Keycloak's own pages, as a person takes them in the browser.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ARTIFACTS, type KeycloakE2e, type TestUser, type WatchedPage } from './keycloak-e2e.js';

/** Keeps a full-page screenshot of the current state under tests/artifacts/keycloak/. */
export async function snap(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Opens the realm's account console, which sends the user to the login page. */
export async function openAccountConsole(page: Page, kcUrl: string, realm: string): Promise<void> {
  await page.goto(`${kcUrl}/realms/${realm}/account`);
  await page.waitForSelector('#username', { timeout: 60_000 });
}

/** Types the username and password and presses Sign In. */
export async function submitPassword(page: Page, user: TestUser): Promise<void> {
  await page.fill('#username', user.username);
  await page.fill('#password', user.password);
  await Promise.all([page.waitForLoadState('load'), page.click('#kc-login')]);
}

/** Waits for the SMS code page. */
export async function codePage(page: Page): Promise<void> {
  await page.waitForSelector('#kc-sms-code-login-form', { timeout: 30_000 });
}

/** Types a code and presses Submit. */
export async function submitCode(page: Page, code: string): Promise<void> {
  await page.fill('#code', code);
  await Promise.all([
    page.waitForEvent('framenavigated', { timeout: 30_000 }),
    page.click('#kc-login'),
  ]);
}

/** Waits until the account console shows the signed-in user's Personal info. */
export async function personalInfo(page: Page): Promise<void> {
  await page.waitForURL(/\/account\/?(#.*|\?.*)?$/, { timeout: 60_000 });
  await page.getByRole('heading', { name: 'Personal info' }).first().waitFor({ timeout: 60_000 });
}

/** The error text Keycloak's page shows (alert or field), trimmed. */
export async function shownErrors(page: Page): Promise<string> {
  const texts = await page
    .locator(
      '#input-error-code, .pf-v5-c-alert__title, .alert-error, #kc-error-message, .kc-feedback-text',
    )
    .allInnerTexts();
  return texts.join(' | ').replace(/\s+/g, ' ').trim();
}

/** Asserts the page loaded its script and styles and logged no errors. */
export function assertClean(watched: WatchedPage, what: string): void {
  const failed = watched.responses.filter((r) => r.status >= 400);
  assert.deepEqual(failed, [], `${what}: failed requests`);
  assert.deepEqual(watched.problems, [], `${what}: console or page errors`);
}

/**
 * The whole walkthrough: account console → username and password → the code from the outbox →
 * Personal info. Returns the code it used. Screenshots are named `<name>-1-login` and so on, and
 * `<name>-failed` where it stopped.
 */
export async function walkThrough(
  e2e: KeycloakE2e,
  watched: WatchedPage,
  user: TestUser,
  name: string,
): Promise<string> {
  const { page } = watched;
  try {
    await openAccountConsole(page, e2e.kc.url, user.realm);
    await snap(page, `${name}-1-login`);
    const before = (await e2e.stack.outbox(user.phone)).length;
    await submitPassword(page, user);
    await codePage(page);
    await snap(page, `${name}-2-code`);
    const code = await e2e.stack.codeSentTo(user.phone, before);
    await submitCode(page, code);
    await personalInfo(page);
    await snap(page, `${name}-3-personal-info`);
    return code;
  } catch (err) {
    await snap(page, `${name}-failed`);
    throw err;
  }
}

/** A new realm (from the demo realm file) and user, signed in up to the code page, and the code sent. */
export async function atCodePage(
  e2e: KeycloakE2e,
  realmName: string,
): Promise<{ realm: string; user: TestUser; page: Page; code: string }> {
  const realm = await e2e.realm(realmName);
  const user = await e2e.user(realm);
  const { page } = await e2e.page();
  await toCodePage(page, e2e.kc.url, user);
  return { realm, user, page, code: await e2e.stack.codeSentTo(user.phone) };
}

/** Opens the account console and signs in with the password, up to the code page. */
export async function toCodePage(page: Page, kcUrl: string, user: TestUser): Promise<void> {
  await openAccountConsole(page, kcUrl, user.realm);
  await submitPassword(page, user);
  await codePage(page);
}

/** A code that is not `code` (same length). */
export function wrongCode(code: string): string {
  return String((Number(code) + 1) % 10 ** code.length).padStart(code.length, '0');
}
