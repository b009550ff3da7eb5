// `npm run keycloak:install` against a fresh realm of a real Keycloak: the flow it builds, what it
// leaves alone, a second run, and a sign-in through the result.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { it } from 'node:test';
import { base32 } from '@sms-mfa/bridge/keycloak/install/installer';
import { vaultEntryName } from '@sms-mfa/bridge/keycloak/server/realm';
import { BRIDGE_CLIENT, type KeycloakE2e } from './support/keycloak-e2e.js';
import { walkThrough } from './support/sign-in.js';

const ROOT = resolve(import.meta.dirname, '../..');
const FLOW = 'browser with sms';
const SCRIPT_PROVIDER = 'script-sms-authenticator.js';
/** Realm settings the installer does not own, set to values that differ from Keycloak's defaults. */
const NOT_OURS = {
  displayName: 'Installer test',
  loginTheme: 'sms-mfa',
  emailTheme: 'keycloak',
  oauth2DeviceCodeLifespan: 1234,
  oauth2DevicePollingInterval: 17,
  accessTokenLifespan: 420,
  bruteForceProtected: true,
  failureFactor: 7,
  eventsEnabled: true,
  attributes: { 'acme.note': 'keep me' },
};

function install(e2e: KeycloakE2e, realm: string): { status: number | null; output: string } {
  const run = spawnSync(
    'npm',
    [
      'run',
      '-s',
      'keycloak:install',
      '--',
      '--url',
      e2e.kc.url,
      '--realm',
      realm,
      '--admin-user',
      e2e.kc.admin.username,
      '--bridge-url',
      e2e.stack.bridge.url,
      '--bridge-client-id',
      BRIDGE_CLIENT.id,
      '--bridge-client-secret-vault',
      'smsMfaClientSecret',
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, KEYCLOAK_ADMIN_PASSWORD: e2e.kc.admin.password },
    },
  );
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/**
 * What differs between two GETs of a realm, beyond the browser flow and the script's attributes.
 * A whole-representation PUT makes Keycloak store some top-level settings as attributes too
 * (clientSessionIdleTimeout "0" beside clientSessionIdleTimeout 0): such a mirror of an unchanged
 * value is no change.
 */
function changedSettings(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): string[] {
  const ours = (k: string) => k === 'browserFlow' || k === 'attributes';
  const changed = Object.keys({ ...before, ...after }).filter(
    (k) => !ours(k) && JSON.stringify(before[k]) !== JSON.stringify(after[k]),
  );
  const was = (before['attributes'] ?? {}) as Record<string, string>;
  const now = (after['attributes'] ?? {}) as Record<string, string>;
  for (const key of Object.keys({ ...was, ...now })) {
    if (key.startsWith('smsMfa') || was[key] === now[key]) {
      continue;
    }
    const mirror = !(key in was) && key in after && String(after[key]) === now[key];
    if (!mirror) {
      changed.push(`attributes.${key}: ${was[key]} → ${now[key]}`);
    }
  }
  return changed;
}

/** Registers the installer scenario. */
export function installerScenarios(e2e: KeycloakE2e): void {
  it('installs the SMS step into a fresh realm, leaves every other setting alone, changes nothing the second time, and signs a user in', async () => {
    const realm = 'installed';
    const admin = await e2e.admin.client('master');
    await admin.realms.create({ realm, enabled: true, ...NOT_OURS });
    writeFileSync(
      join(e2e.kc.home, 'vault', vaultEntryName(realm, 'smsMfaClientSecret')),
      BRIDGE_CLIENT.secret,
    );
    const before = await e2e.admin.realm(realm);

    const first = install(e2e, realm);
    assert.equal(first.status, 0, first.output);
    assert.match(first.output, /done: \d+ change\(s\)/);

    const after = await e2e.admin.realm(realm);
    assert.equal(after['browserFlow'], FLOW);
    assert.deepEqual(changedSettings(before, after), [], 'settings it does not own survive');
    for (const [key, value] of Object.entries(NOT_OURS)) {
      if (key !== 'attributes') {
        assert.deepEqual(after[key], value, key);
      }
    }
    assert.equal(
      (after['attributes'] as Record<string, string>)['smsMfaClientSecret'],
      '${vault.smsMfaClientSecret}',
    );

    const executions = await (
      await e2e.admin.client(realm)
    ).authenticationManagement.getExecutions({ flow: FLOW });
    const password = executions.findIndex((x) => x.providerId === 'auth-username-password-form');
    const sms = executions[password + 1];
    assert.ok(sms, 'a step follows the password form');
    // GET executions lists a deployed script's provider id Base32-encoded.
    assert.ok(
      [SCRIPT_PROVIDER, base32(SCRIPT_PROVIDER)].includes(
        (sms.providerId ?? '').replace(/=+$/, ''),
      ),
      `the SMS step follows the password form (found ${sms.providerId})`,
    );
    assert.equal(sms.level, executions[password]?.level, 'in the same subflow');
    assert.equal(sms.requirement, 'REQUIRED');
    const profile = await (await e2e.admin.client(realm)).users.getProfile();
    assert.ok(profile.attributes?.some((a) => a.name === 'mobile_number'));

    const second = install(e2e, realm);
    assert.equal(second.status, 0, second.output);
    assert.match(second.output, /nothing changed/);
    const again = await e2e.admin.realm(realm);
    assert.deepEqual(changedSettings(after, again), [], 'a second run changes nothing');
    assert.deepEqual(again['attributes'], after['attributes']);

    const user = await e2e.user(realm);
    await walkThrough(e2e, await e2e.page(), user, 'installer');
  });
}
