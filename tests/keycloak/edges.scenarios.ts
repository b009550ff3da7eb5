// The edges of the SMS step in a real Keycloak: a user without a number (fail or skip), the
// bridge down and back, and five people signing in at once.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { freePort } from '@sms-mfa/common/redis-server';
import { startBridge, type RunningBridge } from '@sms-mfa/bridge/service';
import { testConfig } from '@sms-mfa/bridge/test/support/otp-fixtures';
import type { KeycloakE2e } from './support/keycloak-e2e.js';
import {
  codePage,
  openAccountConsole,
  personalInfo,
  snap,
  submitCode,
  submitPassword,
  walkThrough,
} from './support/sign-in.js';

/** Registers the edge scenarios; each makes its own realm and users. */
export function edgeScenarios(e2e: KeycloakE2e): void {
  const sent = async (phone: string) => (await e2e.stack.outbox(phone)).length;

  it('shows a clear page to a user without a mobile number when the realm says fail', async () => {
    const realm = await e2e.realm('no-phone-fail', { attributes: { smsMfaMissingPhone: 'fail' } });
    const user = await e2e.user(realm, { phone: null });
    const { page } = await e2e.page();
    await openAccountConsole(page, e2e.kc.url, realm);
    await submitPassword(page, user);
    await page.getByText('No mobile number is registered for your account').waitFor();
    await snap(page, 'no-phone-fail');
    assert.equal(await page.locator('#code').count(), 0);
  });

  it('lets a user without a mobile number through when the realm says skip', async () => {
    const realm = await e2e.realm('no-phone-skip', { attributes: { smsMfaMissingPhone: 'skip' } });
    const user = await e2e.user(realm, { phone: null });
    const { page } = await e2e.page();
    await openAccountConsole(page, e2e.kc.url, realm);
    await submitPassword(page, user);
    await personalInfo(page);
    await snap(page, 'no-phone-skip');
  });

  it('shows a clear error page while the bridge is down, counts no failure against the user, and works once it is back', async () => {
    const port = await freePort();
    const realm = await e2e.realm('bridge-down', {
      attributes: { smsMfaBridgeUrl: `http://127.0.0.1:${port}` },
    });
    const user = await e2e.user(realm);
    const { page } = await e2e.page();
    await openAccountConsole(page, e2e.kc.url, realm);
    await submitPassword(page, user);
    await page.getByText('The SMS service is not available right now').waitFor();
    await snap(page, 'bridge-down-1-unavailable');
    const said = e2e.kc.logs();
    assert.match(said, /the token endpoint \S+ could not be reached for client keycloak-sms: /);
    assert.doesNotMatch(said, /HTTP 0 undefined/);
    assert.equal((await e2e.admin.bruteForce(realm, user.id)).numFailures, 0);
    assert.deepEqual(await e2e.admin.loginErrors(realm, user.id), []);

    const bridge = await spareBridge(e2e, port);
    try {
      await openAccountConsole(page, e2e.kc.url, realm);
      await submitPassword(page, user);
      await codePage(page);
      await snap(page, 'bridge-down-2-back');
      await submitCode(page, await e2e.stack.codeSentTo(user.phone));
      await personalInfo(page);
    } finally {
      await bridge.close();
    }
  });

  it('signs five users in at the same time, each with their own code', async () => {
    const realm = await e2e.realm('concurrent');
    const users = await Promise.all([0, 1, 2, 3, 4].map(() => e2e.user(realm)));
    const codes = await Promise.all(
      users.map(async (user, i) => walkThrough(e2e, await e2e.page(), user, `concurrent-${i}`)),
    );
    for (const user of users) {
      assert.equal(await sent(user.phone), 1, `one SMS to ${user.phone}`);
    }
    assert.equal(codes.length, 5);
  });
}

/** Another bridge over the same Redis (the service is stateless), on a port the realm names. */
function spareBridge(e2e: KeycloakE2e, port: number): Promise<RunningBridge> {
  return startBridge(
    testConfig({
      ...e2e.redis.env,
      BRIDGE_PORT: String(port),
      BRIDGE_PUBLIC_URL: `http://127.0.0.1:${port}`,
      REFERENCE_API_URL: e2e.stack.referenceUrl,
      RATE_PHONE_SENDS: '1000',
      RATE_IP_SENDS_PER_HOUR: '100000',
    }),
  );
}
