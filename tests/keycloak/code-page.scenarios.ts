// What a user meets on the code page in a real Keycloak: a wrong code, the last wrong code, the
// resend countdown, a page refresh, and an expired code.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { it } from 'node:test';
import { tokenRequests, type KeycloakE2e } from './support/keycloak-e2e.js';
import {
  codePage,
  personalInfo,
  shownErrors,
  snap,
  submitCode,
  atCodePage,
  wrongCode,
} from './support/sign-in.js';

const MAX_ATTEMPTS = 5;

/** Registers the code-page scenarios; each makes its own realm and user. */
export function codePageScenarios(e2e: KeycloakE2e): void {
  const sent = async (phone: string) => (await e2e.stack.outbox(phone)).length;

  it('shows the form again with the attempts left after a wrong code, records invalid_user_credentials, and brute-force detection counts it', async () => {
    const { realm, user, page, code } = await atCodePage(e2e, 'wrong-code');
    await submitCode(page, wrongCode(code));
    await codePage(page);
    await snap(page, 'wrong-code-1-attempts-left');
    const errors = await shownErrors(page);
    assert.match(errors, /Incorrect code/);
    assert.match(errors, new RegExp(`${MAX_ATTEMPTS - 1} attempts left`));
    assert.doesNotMatch(await page.content(), /Invalid username or password/i);
    const events = await e2e.admin.loginErrors(realm, user.id);
    assert.deepEqual(
      events.map((e) => e.error),
      ['invalid_user_credentials'],
    );
    assert.equal((await e2e.admin.bruteForce(realm, user.id)).numFailures, 1);

    await submitCode(page, code);
    await personalInfo(page);
  });

  it('locks the sign-in with a clear page at the last wrong code', async () => {
    const { realm, user, page, code } = await atCodePage(e2e, 'lockout');
    for (let i = 1; i < MAX_ATTEMPTS; i++) {
      await submitCode(page, wrongCode(code));
      await codePage(page);
    }
    assert.match(await shownErrors(page), /1 attempt left/);
    await submitCode(page, wrongCode(code));
    await page.getByText('Too many incorrect codes').waitFor();
    await snap(page, 'lockout-1-locked');
    assert.equal(await page.locator('#code').count(), 0, 'no code field on the locked page');
    assert.equal((await e2e.admin.bruteForce(realm, user.id)).numFailures, MAX_ATTEMPTS);
  });

  it('keeps resend disabled with a visible countdown, then resends the same code; a refresh sends nothing', async () => {
    const tokensBefore = await tokenRequests(e2e.stack.bridge.url);
    const { user, page, code } = await atCodePage(e2e, 'resend');
    const resend = page.locator('#kc-sms-resend');
    assert.equal(await resend.isDisabled(), true);
    assert.match(await resend.innerText(), /Resend code in \d s/);
    await snap(page, 'resend-1-countdown');
    await page.waitForFunction("!document.querySelector('#kc-sms-resend').disabled");
    assert.equal((await resend.innerText()).trim(), 'Resend code');
    await snap(page, 'resend-2-ready');

    await page.goto(page.url());
    await codePage(page);
    await sleep(500);
    assert.equal(await sent(user.phone), 1, 'a refresh sends no second message');

    await Promise.all([page.waitForEvent('framenavigated'), resend.click()]);
    await codePage(page);
    await page.getByText('A new code is on its way.').waitFor();
    await snap(page, 'resend-3-resent');
    assert.equal(await e2e.stack.codeSentTo(user.phone, 1), code, 'the same code again');
    assert.equal(await sent(user.phone), 2);
    await submitCode(page, code);
    await personalInfo(page);
    // Five pages and seven bridge calls, one token: Keycloak keeps it between steps.
    assert.equal((await tokenRequests(e2e.stack.bridge.url)) - tokensBefore, 1);
  });

  it('offers a new code when the code has expired, and signs in with the new one', async () => {
    const { user, page, code } = await atCodePage(e2e, 'expiry');
    e2e.stack.clock.advance(301_000);
    try {
      await submitCode(page, code);
      await codePage(page);
      assert.match(await shownErrors(page), /This code has expired/);
      const resend = page.locator('#kc-sms-resend');
      assert.equal(await resend.isDisabled(), false, 'a new code is offered at once');
      await snap(page, 'expiry-1-expired');
      await Promise.all([page.waitForEvent('framenavigated'), resend.click()]);
      await codePage(page);
      const fresh = await e2e.stack.codeSentTo(user.phone, 1);
      await snap(page, 'expiry-2-new-code');
      await submitCode(page, fresh);
      await personalInfo(page);
    } finally {
      e2e.stack.clock.advance(-301_000);
    }
  });
}
