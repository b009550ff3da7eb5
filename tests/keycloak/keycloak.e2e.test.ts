// The SMS step in a real Keycloak (the pinned 26.x from Maven Central), driven in Chromium
// through Keycloak's own pages, against a real bridge and reference API.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  demoRealm,
  SECRET_VAULT_KEY,
  vaultEntryName,
  writeRealmFile,
} from '@sms-mfa/bridge/keycloak/server/realm';
import { KEYCLOAK_VERSION } from '@sms-mfa/bridge/keycloak/server/server';
import {
  BRIDGE_CLIENT,
  scriptAttributes,
  useKeycloakE2e,
  type TestUser,
} from './support/keycloak-e2e.js';
import { codePageScenarios } from './code-page.scenarios.js';
import { edgeScenarios } from './edges.scenarios.js';
import { installerScenarios } from './installer.scenarios.js';
import { issuerScenarios } from './issuer.scenarios.js';
import { assertClean, walkThrough } from './support/sign-in.js';

describe(`the SMS step in Keycloak ${KEYCLOAK_VERSION}`, () => {
  // The demo realm as `npm run keycloak` imports it: the bridge's secret in Keycloak's file vault.
  const e2e = useKeycloakE2e((bridgeUrl, scratch) => ({
    realmFiles: [
      writeRealmFile(
        join(scratch, 'sms-demo.json'),
        demoRealm({
          attributes: {
            ...scriptAttributes(bridgeUrl),
            smsMfaClientSecret: `\${vault.${SECRET_VAULT_KEY}}`,
          },
        }),
      ),
    ],
    vault: { [vaultEntryName('sms-demo', SECRET_VAULT_KEY)]: BRIDGE_CLIENT.secret },
  }));

  it('signs jdoe in to the imported sms-demo realm with the code from the outbox', async () => {
    const jdoe: TestUser = {
      realm: 'sms-demo',
      id: '',
      username: 'jdoe',
      password: 'demo',
      phone: '+5511966191717',
    };
    await walkThrough(e2e, await e2e.page(), jdoe, 'import');
    const realm = await e2e.admin.realm('sms-demo');
    const attributes = realm['attributes'] as Record<string, string>;
    assert.equal(attributes['smsMfaClientSecret'], '${vault.smsMfaClientSecret}');
  });

  for (const theme of ['sms-mfa', 'keycloak.v2']) {
    it(`renders login-sms.ftl in Keycloak's own template with the ${theme} login theme, its script and styles loaded`, async () => {
      const realm = await e2e.realm(`theme-${theme.replace('.', '-')}`, {
        fields: { loginTheme: theme },
      });
      const user = await e2e.user(realm);
      const watched = await e2e.page();
      const code = await walkThrough(e2e, watched, user, `theme-${theme}`);
      assert.match(code, /^\d{6}$/);
      assertClean(watched, theme);
      const loaded = watched.responses.map((r) => r.url);
      assert.ok(
        loaded.some((u) => u.endsWith('/js/sms-resend.js')),
        'the resend countdown script loads',
      );
      assert.ok(
        loaded.some((u) => u.endsWith('/css/sms-mfa.css')),
        'the sms-mfa stylesheet loads',
      );
    });
  }

  codePageScenarios(e2e);
  edgeScenarios(e2e);
  installerScenarios(e2e);
  issuerScenarios(e2e);
});
