// The SMS step in a Keycloak 26.x older than 26.4, whose script API has only the older
// org.keycloak.broker.provider.util.SimpleHttp and whose brute-force detector counts every failed
// step itself: the basic walkthrough and a wrong code, on that path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KEYCLOAK_COMPAT_VERSION } from '@sms-mfa/bridge/keycloak/server/server';
import { useKeycloakE2e } from './support/keycloak-e2e.js';
import {
  atCodePage,
  codePage,
  personalInfo,
  shownErrors,
  submitCode,
  walkThrough,
  wrongCode,
} from './support/sign-in.js';

describe(`the SMS step in Keycloak ${KEYCLOAK_COMPAT_VERSION} (SimpleHttp before 26.4)`, () => {
  const e2e = useKeycloakE2e(() => ({ version: KEYCLOAK_COMPAT_VERSION }));

  it('signs a user in with the code from the outbox', async () => {
    const realm = await e2e.realm('compat');
    const user = await e2e.user(realm);
    const watched = await e2e.page();
    await walkThrough(e2e, watched, user, `compat-${KEYCLOAK_COMPAT_VERSION}`);
    assert.deepEqual(watched.problems, []);
    assert.match(e2e.kc.logs(), /sms-mfa: code sent to \+14\*+\d{3}/);
  });

  it('shows the attempts left after a wrong code, and Keycloak counts it once', async () => {
    const { realm, user, page, code } = await atCodePage(e2e, 'compat-wrong-code');
    await submitCode(page, wrongCode(code));
    await codePage(page);
    assert.match(await shownErrors(page), /4 attempts left/);
    assert.equal((await e2e.admin.bruteForce(realm, user.id)).numFailures, 1);
    await submitCode(page, code);
    await personalInfo(page);
  });
});
