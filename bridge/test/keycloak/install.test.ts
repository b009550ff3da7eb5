// The Keycloak installer's steps against a fake of the admin REST API: what a first run leaves
// behind, that a second run writes nothing, and how it repairs a half-done realm.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { runInstall, type CliOptions } from '../../keycloak/install/install.js';
import { base32, PHONE_PATTERN, type InstallOptions } from '../../keycloak/install/installer.js';
import {
  startFakeKeycloak,
  type FakeKeycloakAdmin,
  type FakeKeycloakOptions,
} from '../support/fake-keycloak-admin.js';

const ALIAS = 'browser with sms';
const PROVIDER = 'script-sms-authenticator.js';

function optionsFor(kc: FakeKeycloakAdmin, install: Partial<InstallOptions> = {}): CliOptions {
  return {
    url: kc.url,
    authRealm: 'master',
    login: { kind: 'password', username: 'admin', password: 'admin' },
    timeoutMs: 5000,
    warnings: [],
    install: {
      realm: kc.realmName,
      flowAlias: ALIAS,
      providerId: PROVIDER,
      bridgeUrl: 'http://bridge:3000',
      bridgeClientId: 'keycloak-sms',
      bridgeClientSecret: 'keycloak-sms-secret-0123',
      tokenRealm: 'mfa',
      tokenUrl: undefined,
      phoneAttribute: 'mobile_number',
      missingPhone: 'fail',
      ...install,
    },
  };
}

/** The direct children of the copied forms subflow, by provider id or subflow name, with requirements. */
function formsChildren(kc: FakeKeycloakAdmin, alias = ALIAS): string[] {
  const forms = kc.flows.get(`${alias} forms`);
  assert.ok(forms, `the subflow "${alias} forms" exists`);
  return forms.executions
    .slice()
    .sort((a, b) => a.priority - b.priority)
    .map((e) => `${e.authenticator ?? kc.flowById(e.flowId!).alias}:${e.requirement}`);
}

describe('the Keycloak installer', () => {
  let kc: FakeKeycloakAdmin;
  const start = async (options: FakeKeycloakOptions = {}) => {
    kc = await startFakeKeycloak(options);
  };
  beforeEach(() => start());
  afterEach(() => kc.close());

  it('copies the browser flow and puts the SMS step, REQUIRED, right after the password form', async () => {
    await runInstall(optionsFor(kc));
    assert.ok(kc.flows.get(ALIAS), 'the copy exists');
    assert.equal(kc.flows.get(ALIAS)?.builtIn, false);
    assert.deepEqual(formsChildren(kc), [
      'auth-username-password-form:REQUIRED',
      `${PROVIDER}:REQUIRED`,
      `${ALIAS} Browser - Conditional OTP:CONDITIONAL`,
    ]);
    assert.deepEqual(
      kc.flows.get('browser')?.executions.map((e) => e.authenticator ?? 'forms'),
      ['auth-cookie', 'auth-spnego', 'identity-provider-redirector', 'forms'],
      'the built-in flow is untouched',
    );
  });

  it('binds the flow as the browser flow and sets the realm attributes the script reads, keeping the others', async () => {
    await runInstall(
      optionsFor(kc, { tokenUrl: 'http://bridge:3000/realms/mfa/protocol/openid-connect/token' }),
    );
    assert.equal(kc.realm.browserFlow, ALIAS);
    assert.deepEqual(kc.realm.attributes, {
      frontendUrl: '',
      cibaAuthRequestedUserHint: 'login_hint',
      oauth2DeviceCodeLifespan: '1800',
      oauth2DevicePollingInterval: '10',
      smsMfaBridgeUrl: 'http://bridge:3000',
      smsMfaClientId: 'keycloak-sms',
      smsMfaClientSecret: 'keycloak-sms-secret-0123',
      smsMfaTokenRealm: 'mfa',
      smsMfaTokenUrl: 'http://bridge:3000/realms/mfa/protocol/openid-connect/token',
      smsMfaPhoneAttribute: 'mobile_number',
      smsMfaMissingPhone: 'fail',
    });
  });

  it('sends the realm back whole, so a PUT resets none of the settings it does not own', async () => {
    const before = structuredClone(kc.realm);
    await runInstall(optionsFor(kc));
    assert.deepEqual(
      { ...kc.realm, browserFlow: before.browserFlow, attributes: before.attributes },
      before,
      'only browserFlow and the attributes changed',
    );
    const put = kc.writes().find((w) => w.method === 'PUT' && w.path === '/admin/realms/myrealm');
    assert.deepEqual(Object.keys(put?.body as object).sort(), Object.keys(before).sort());
  });

  it('stores a vault reference, never a secret, when the secret is in the vault', async () => {
    await runInstall(optionsFor(kc, { bridgeClientSecret: '${vault.sms_bridge}' }));
    assert.equal(kc.realm.attributes['smsMfaClientSecret'], '${vault.sms_bridge}');
  });

  it('stores no secret when Keycloak reads it from its environment, and removes one an earlier run stored', async () => {
    await runInstall(optionsFor(kc));
    assert.equal(kc.realm.attributes['smsMfaClientSecret'], 'keycloak-sms-secret-0123');
    const steps = await runInstall(optionsFor(kc, { bridgeClientSecret: undefined }));
    assert.ok(!('smsMfaClientSecret' in kc.realm.attributes));
    assert.equal(kc.realm.attributes['smsMfaClientId'], 'keycloak-sms', 'the others stay');
    assert.deepEqual(
      steps.filter((s) => s.changed).map((s) => s.detail),
      ['removed smsMfaClientSecret'],
    );
    const writes = kc.writes().length;
    await runInstall(optionsFor(kc, { bridgeClientSecret: undefined }));
    assert.equal(kc.writes().length, writes, 'a second run writes nothing');
  });

  it('declares the phone attribute in the user profile with an E.164 pattern, editable by admins and users', async () => {
    await runInstall(optionsFor(kc));
    const names = kc.profile.attributes.map((a) => a['name']);
    assert.deepEqual(
      names,
      ['username', 'email', 'mobile_number'],
      'the existing attributes are kept',
    );
    const phone = kc.profile.attributes[2] as {
      permissions: unknown;
      validations: { pattern: { pattern: string } };
    };
    assert.deepEqual(phone.permissions, { view: ['admin', 'user'], edit: ['admin', 'user'] });
    const pattern = new RegExp(phone.validations.pattern.pattern);
    assert.equal(phone.validations.pattern.pattern, PHONE_PATTERN);
    assert.ok(pattern.test('+5511966191717'));
    assert.ok(
      !pattern.test('11966191717') && !pattern.test('+0123456789') && !pattern.test('+55 11 96619'),
    );
    assert.deepEqual(kc.profile.groups, [
      { name: 'user-metadata', displayHeader: 'User metadata' },
    ]);
  });

  it('makes no write call on a second run, and reports every step unchanged', async () => {
    const first = await runInstall(optionsFor(kc));
    assert.ok(first.some((s) => s.changed));
    const writesAfterFirst = kc.writes().length;
    assert.ok(writesAfterFirst > 0);
    const second = await runInstall(optionsFor(kc));
    assert.deepEqual(kc.writes().slice(writesAfterFirst), [], 'the second run only reads');
    assert.deepEqual(
      second.filter((s) => s.changed),
      [],
    );
  });

  it('uses the documented endpoints and bodies for its writes', async () => {
    await runInstall(optionsFor(kc));
    const writes = kc.writes().map((w) => `${w.method} ${w.path.replace(/[0-9a-f-]{36}/, '{id}')}`);
    assert.deepEqual(writes, [
      `POST /admin/realms/myrealm/authentication/flows/browser/copy`,
      `POST /admin/realms/myrealm/authentication/flows/${ALIAS} forms/executions/execution`,
      `POST /admin/realms/myrealm/authentication/executions/{id}/raise-priority`,
      `PUT /admin/realms/myrealm/authentication/flows/${ALIAS}/executions`,
      `PUT /admin/realms/myrealm`,
      `PUT /admin/realms/myrealm/users/profile`,
    ]);
    assert.deepEqual(kc.writes()[0]?.body, { newName: ALIAS });
    assert.deepEqual(kc.writes()[1]?.body, { provider: PROVIDER });
    const sms = kc
      .listExecutions(kc.flows.get(ALIAS)!)
      .find((e) => e['displayName'] === 'SMS code (bridge)');
    assert.deepEqual(kc.writes()[3]?.body, sms, 'the execution as GET lists it, priority included');
  });

  it('repairs a copy where the SMS step sits last and disabled, and a realm bound to another flow', async () => {
    await runInstall(optionsFor(kc));
    const forms = kc.flows.get(`${ALIAS} forms`)!;
    const sms = forms.executions.find((e) => e.authenticator === PROVIDER)!;
    sms.requirement = 'DISABLED';
    sms.priority = 1000;
    kc.realm.browserFlow = 'browser';
    kc.realm.attributes['smsMfaClientSecret'] = 'old-secret';
    const steps = await runInstall(optionsFor(kc));
    assert.deepEqual(formsChildren(kc), [
      'auth-username-password-form:REQUIRED',
      `${PROVIDER}:REQUIRED`,
      `${ALIAS} Browser - Conditional OTP:CONDITIONAL`,
    ]);
    assert.equal(kc.realm.browserFlow, ALIAS);
    assert.equal(kc.realm.attributes['smsMfaClientSecret'], 'keycloak-sms-secret-0123');
    assert.deepEqual(
      steps.filter((s) => s.changed).map((s) => s.step),
      ['order', 'requirement', 'realm'],
    );
  });

  it('moves an SMS step that sits before the password form down to just after it', async () => {
    await runInstall(optionsFor(kc));
    const forms = kc.flows.get(`${ALIAS} forms`)!;
    forms.executions.find((e) => e.authenticator === PROVIDER)!.priority = -5;
    await runInstall(optionsFor(kc));
    assert.deepEqual(formsChildren(kc), [
      'auth-username-password-form:REQUIRED',
      `${PROVIDER}:REQUIRED`,
      `${ALIAS} Browser - Conditional OTP:CONDITIONAL`,
    ]);
  });

  it('leaves an already declared phone attribute as the admin configured it', async () => {
    kc.profile.attributes.push({
      name: 'phone',
      displayName: 'Phone',
      permissions: { view: ['admin'], edit: ['admin'] },
    });
    await runInstall(optionsFor(kc, { phoneAttribute: 'phone', missingPhone: 'skip' }));
    assert.deepEqual(kc.profile.attributes.at(-1), {
      name: 'phone',
      displayName: 'Phone',
      permissions: { view: ['admin'], edit: ['admin'] },
    });
    assert.equal(kc.realm.attributes['smsMfaPhoneAttribute'], 'phone');
    assert.equal(kc.realm.attributes['smsMfaMissingPhone'], 'skip');
    assert.ok(!kc.writes().some((w) => w.path.endsWith('/users/profile')));
  });

  it('uses an existing flow of the alias instead of copying again', async () => {
    await runInstall(optionsFor(kc, { flowAlias: 'custom browser' }));
    const before = kc.writes().length;
    await runInstall(optionsFor(kc, { flowAlias: 'custom browser' }));
    assert.equal(kc.writes().length, before);
    assert.equal(kc.realm.browserFlow, 'custom browser');
    assert.ok(kc.flows.get('custom browser forms'));
  });

  it('stops before any write when the script provider is not deployed, and says how to deploy it', async () => {
    await kc.close();
    await start({ scriptDeployed: false });
    await assert.rejects(runInstall(optionsFor(kc)), (err: Error) => {
      assert.match(err.message, /no authenticator "script-sms-authenticator\.js"/);
      assert.match(err.message, /deploy the jar .*--features=scripts.* restart/);
      return true;
    });
    assert.deepEqual(kc.writes(), []);
  });

  it('logs in with client credentials as well as with the admin password', async () => {
    await kc.close();
    await start({ serviceClient: { clientId: 'installer', clientSecret: 'installer-secret' } });
    await runInstall({
      ...optionsFor(kc),
      login: { kind: 'client', clientId: 'installer', clientSecret: 'installer-secret' },
    });
    assert.equal(kc.realm.browserFlow, ALIAS);
    const login = kc.requests.find((r) => r.path.endsWith('/token'));
    assert.match(String(login?.body), /grant_type=client_credentials/);
  });
});

describe("Keycloak's Base32 of script provider ids", () => {
  it('matches the RFC 4648 vectors without padding', () => {
    assert.deepEqual(['', 'f', 'fo', 'foo', 'foob', 'fooba', 'foobar'].map(base32), [
      '',
      'MY',
      'MZXQ',
      'MZXW6',
      'MZXW6YQ',
      'MZXW6YTB',
      'MZXW6YTBOI',
    ]);
  });
});
