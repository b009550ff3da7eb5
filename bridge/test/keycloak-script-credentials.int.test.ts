// The script authenticator's credentials against a real bridge: what the script logs when the
// token endpoint cannot be reached or says no.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { freePort } from '@sms-mfa/common/redis-server';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { startDeviceAuthStack, type DeviceAuthStack } from './support/deviceauth-stack.js';
import { testPhone } from './support/otp-fixtures.js';
import {
  onlyOutcome,
  ScriptHarness,
  SignIn,
  type Outcome,
  type ScriptRun,
  type ScriptState,
} from './keycloak-harness/script-harness.js';
import { TokenProxy } from './keycloak-harness/token-proxy.js';

const CLIENT_ID = 'keycloak-credentials';
const CLIENT_SECRET = `secret-${CLIENT_ID}-0123456789`;

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

  const logText = (runs: ScriptRun[]) =>
    runs.flatMap((r) => r.logs.map((l) => `${l.level} ${l.message}`)).join('\n');
  const unavailable = (outcome: Outcome) => {
    assert.equal(outcome.type, 'challenge');
    assert.equal(outcome.page?.kind, 'errorPage');
    assert.equal(outcome.page?.status, 'SERVICE_UNAVAILABLE');
    assert.equal(outcome.page?.error?.message, 'smsAuthUnavailable');
  };

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
