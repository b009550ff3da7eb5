// The script authenticator's credentials against a real bridge: the client secret from Keycloak's
// vault, the bridge token kept in Keycloak's single-use object store across steps and sign-ins,
// and what the script logs when the token endpoint cannot be reached or says no.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { freePort } from '@sms-mfa/common/redis-server';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { startDeviceAuthStack, type DeviceAuthStack } from '../support/deviceauth-stack.js';
import { testPhone } from '../support/otp-fixtures.js';
import {
  onlyOutcome,
  ScriptHarness,
  SignIn,
  type Outcome,
  type ScriptRun,
  type ScriptState,
} from './harness/script-harness.js';
import { TokenProxy } from './harness/token-proxy.js';

const CLIENT_ID = 'keycloak-credentials';
const CLIENT_SECRET = `secret-${CLIENT_ID}-0123456789`;
const DEVICE_AUTHS = '/ciam-mfa/v2/deviceAuthentications';

describe("the Keycloak script authenticator's bridge credentials", () => {
  const redis = useRedis();
  let stack: DeviceAuthStack;
  let harness: ScriptHarness;
  let proxy: TokenProxy;
  let index = 200;

  before(async () => {
    stack = await startDeviceAuthStack(redis);
    harness = new ScriptHarness();
    redis.defer(() => harness.close());
    await stack.client({ clientId: CLIENT_ID, brand: 'Acme' });
    proxy = await new TokenProxy(
      `${stack.bridge.url}/realms/mfa/protocol/openid-connect/token`,
    ).start();
  });
  after(() => proxy.close());
  beforeEach(() => {
    harness.singleUseObjects.clear();
    proxy.mode = 'pass';
    proxy.calls = 0;
  });

  /** A user with a fresh number signing in; the realm attributes name the bridge and the client. */
  function signIn(overrides: Partial<ScriptState> = {}): { phone: string; flow: SignIn } {
    const phone = testPhone(index++);
    const state: ScriptState = {
      user: { username: `cred-user${index}`, attributes: { mobile_number: phone } },
      locale: 'en',
      ...overrides,
      realmAttributes: {
        smsMfaBridgeUrl: stack.bridge.url,
        smsMfaClientId: CLIENT_ID,
        smsMfaClientSecret: CLIENT_SECRET,
        ...overrides.realmAttributes,
      },
    };
    return { phone, flow: new SignIn(harness, state) };
  }

  /** Signs in start to finish: the code page, then the right code. */
  async function completeSignIn(flow: SignIn, phone: string): Promise<ScriptRun[]> {
    const first = await flow.authenticate();
    assert.equal(onlyOutcome(first).page?.template, 'login-sms.ftl', JSON.stringify(first.logs));
    const done = await flow.submit(await stack.codeSentTo(phone));
    assert.equal(onlyOutcome(done).type, 'success');
    return [first, done];
  }

  const tokenCalls = (runs: ScriptRun[]) =>
    runs.flatMap((r) => r.http).filter((h) => h.url.includes('token')).length;
  const logText = (runs: ScriptRun[]) =>
    runs.flatMap((r) => r.logs.map((l) => `${l.level} ${l.message}`)).join('\n');
  const unavailable = (outcome: Outcome) => {
    assert.equal(outcome.type, 'challenge');
    assert.equal(outcome.page?.kind, 'errorPage');
    assert.equal(outcome.page?.status, 'SERVICE_UNAVAILABLE');
    assert.equal(outcome.page?.error?.message, 'smsAuthUnavailable');
  };

  describe("Keycloak's vault", () => {
    it('reads the client secret from the vault when smsMfaClientSecret is ${vault.<key>}, and closes it', async () => {
      const { phone, flow } = signIn({
        realmName: 'sms_demo',
        realmAttributes: { smsMfaClientSecret: '${vault.bridge_secret}' },
        // the file vault's name for realm sms_demo, key bridge_secret; `echo` adds the newline
        vaultFiles: { sms__demo_bridge__secret: `${CLIENT_SECRET}\n` },
      });
      const runs = await completeSignIn(flow, phone);
      assert.ok(
        runs.every((r) => r.vaultSecretsOpen === 0),
        'every vault secret is closed',
      );
      assert.ok(!logText(runs).includes(CLIENT_SECRET));
    });

    it('reads a vault reference from SMS_MFA_CLIENT_SECRET too, and the client id from the vault', async () => {
      const { phone, flow } = signIn({
        realmAttributes: { smsMfaClientSecret: '', smsMfaClientId: '${vault.bridge-id}' },
        env: { SMS_MFA_CLIENT_SECRET: '${vault.bridge-secret}' },
        vaultFiles: { 'sms-demo_bridge-id': CLIENT_ID, 'sms-demo_bridge-secret': CLIENT_SECRET },
      });
      await completeSignIn(flow, phone);
    });

    it('shows the unavailable page and names the missing entry, when the vault has none or there is no vault', async () => {
      for (const vaultFiles of [{ 'sms-demo_other': CLIENT_SECRET }, undefined]) {
        const { flow } = signIn({
          realmAttributes: { smsMfaClientSecret: '${vault.bridge_secret}' },
          ...(vaultFiles ? { vaultFiles } : {}),
        });
        const run = await flow.authenticate();
        unavailable(onlyOutcome(run));
        assert.equal(run.http.length, 0, 'no token call with a secret it does not have');
        assert.match(
          logText([run]),
          /^error sms-mfa: the vault has no entry bridge_secret for realm sms-demo \(smsMfaClientSecret\)$/m,
        );
        assert.ok(!logText([run]).includes(CLIENT_SECRET));
      }
    });
  });

  describe("the bridge token in Keycloak's single-use object store", () => {
    it('makes one token call for two sign-ins in a row', async () => {
      const one = signIn();
      const two = signIn();
      const runs = [
        ...(await completeSignIn(one.flow, one.phone)),
        ...(await completeSignIn(two.flow, two.phone)),
      ];
      assert.equal(tokenCalls(runs), 1);
      assert.equal(harness.singleUseObjects.size, 1);
      const [key, entry] = [...harness.singleUseObjects][0]!;
      assert.match(key, /^sms-mfa\.bridge-token\.[0-9a-f]{64}$/, 'a hash: no client id or secret');
      assert.equal(entry.lifespanSeconds, 300 - 30, "the token's 300 s less a 30 s margin");
      assert.deepEqual(Object.keys(entry.notes), ['access_token']);
    });

    it('keeps one token per realm, token URL and client id', async () => {
      const first = signIn();
      await completeSignIn(first.flow, first.phone);
      const other = signIn({ realmId: 'another-realm' });
      const runs = await completeSignIn(other.flow, other.phone);
      assert.equal(tokenCalls(runs), 1, 'another realm does not ride on the first one');
      assert.equal(harness.singleUseObjects.size, 2);
    });

    it('fetches a new token once the stored one has expired', async () => {
      const first = signIn();
      await completeSignIn(first.flow, first.phone);
      harness.advance(271_000);
      const second = signIn();
      const run = await second.flow.authenticate();
      assert.equal(tokenCalls([run]), 1);
    });

    it('replaces a stored token the bridge refuses, and repeats the call once', async () => {
      const first = signIn();
      await completeSignIn(first.flow, first.phone);
      const [entry] = [...harness.singleUseObjects.values()];
      entry!.notes['access_token'] = 'revoked-or-signed-by-a-retired-key';
      const { phone, flow } = signIn();
      const run = await flow.authenticate();
      assert.equal(onlyOutcome(run).page?.template, 'login-sms.ftl');
      assert.deepEqual(
        run.http.map((h) => `${h.method} ${h.url.replace(stack.bridge.url, '')} ${h.status}`),
        [
          `POST ${DEVICE_AUTHS} 401`,
          'POST /realms/mfa/protocol/openid-connect/token 200',
          `POST ${DEVICE_AUTHS} 201`,
          `GET ${DEVICE_AUTHS}/${flow.notes['smsMfaAuthId']} 200`,
        ],
      );
      assert.ok(await stack.codeSentTo(phone));
      assert.notEqual(
        [...harness.singleUseObjects.values()][0]?.notes['access_token'],
        'revoked-or-signed-by-a-retired-key',
      );
    });

    it('repeats a refused call only once, and keeps no token the bridge refused', async () => {
      const first = signIn({ realmAttributes: { smsMfaTokenUrl: proxy.url } });
      await completeSignIn(first.flow, first.phone);
      const [entry] = [...harness.singleUseObjects.values()];
      entry!.notes['access_token'] = 'revoked-or-signed-by-a-retired-key';
      proxy.mode = 'refused-token';
      const { flow } = signIn({ realmAttributes: { smsMfaTokenUrl: proxy.url } });
      const run = await flow.authenticate();
      unavailable(onlyOutcome(run));
      assert.deepEqual(
        run.http.map((h) => h.status),
        [401, 200, 401],
        'the stored token, a new one, and no third try',
      );
      assert.equal(harness.singleUseObjects.size, 0, 'neither refused token is kept');
      const next = await flow.authenticate();
      assert.deepEqual(
        next.http.map((h) => h.status),
        [200, 401],
        'a fresh token the bridge refuses is not retried',
      );
    });

    it('stores no token whose expires_in is missing or within the margin', async () => {
      for (const mode of ['no-expiry', 'short-expiry'] as const) {
        proxy.mode = mode;
        const { phone, flow } = signIn({ realmAttributes: { smsMfaTokenUrl: proxy.url } });
        await completeSignIn(flow, phone);
        assert.equal(harness.singleUseObjects.size, 0, mode);
      }
      assert.equal(proxy.calls, 4, 'one token per step');
    });
  });

  describe('what the script logs about the token endpoint', () => {
    it('says the token endpoint could not be reached, with the Java exception, when nothing listens there', async () => {
      const port = await freePort();
      const tokenUrl = `http://127.0.0.1:${port}/realms/mfa/protocol/openid-connect/token`;
      const { flow } = signIn({ realmAttributes: { smsMfaTokenUrl: tokenUrl } });
      const run = await flow.authenticate();
      unavailable(onlyOutcome(run));
      const logs = logText([run]);
      assert.match(
        logs,
        new RegExp(
          `^error sms-mfa: the token endpoint ${tokenUrl} could not be reached for client ${CLIENT_ID}: ` +
            `org\\.apache\\.http\\.conn\\.HttpHostConnectException: Connect to 127\\.0\\.0\\.1:${port} .*failed: Connection refused$`,
          'm',
        ),
      );
      assert.doesNotMatch(logs, /HTTP 0|undefined/);
      assert.ok(!logs.includes(CLIENT_SECRET));
    });

    it('names the status and the OAuth error when the token endpoint refuses the client', async () => {
      const { flow } = signIn({ realmAttributes: { smsMfaClientSecret: 'not-the-secret-0000' } });
      const run = await flow.authenticate();
      unavailable(onlyOutcome(run));
      assert.match(
        logText([run]),
        new RegExp(
          `^error sms-mfa: the token endpoint refused client ${CLIENT_ID}: HTTP 401 invalid_client \\(Invalid client or Invalid client credentials\\)$`,
          'm',
        ),
      );
      assert.ok(!logText([run]).includes('not-the-secret'));
    });

    it('says so when an answer carries no OAuth error, rather than "undefined"', async () => {
      proxy.mode = 'bad-gateway';
      const { flow } = signIn({ realmAttributes: { smsMfaTokenUrl: proxy.url } });
      const run = await flow.authenticate();
      unavailable(onlyOutcome(run));
      assert.match(
        logText([run]),
        new RegExp(
          `refused client ${CLIENT_ID}: HTTP 502 \\(no OAuth error in the answer\\)$`,
          'm',
        ),
      );
      assert.doesNotMatch(logText([run]), /undefined/);
    });
  });
});
