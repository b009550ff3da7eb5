// The installer's command line: flags and env vars, and the sentences an admin reads when
// Keycloak is down, the credentials are wrong or the realm does not exist.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { main, parseCli, UsageError } from '../../keycloak/install/install.js';
import { startFakeKeycloak, type FakeKeycloakAdmin } from '../support/fake-keycloak-admin.js';

const REQUIRED_FLAGS = [
  '--realm',
  'myrealm',
  '--bridge-url',
  'http://bridge:3000',
  '--bridge-client-id',
  'kc',
];

async function run(
  argv: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    env,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Runs `fn` against a fake of its own, so that what it installs leaves the shared one alone. */
async function withOwnKeycloak(fn: (kc: FakeKeycloakAdmin) => Promise<void>): Promise<void> {
  const own = await startFakeKeycloak();
  try {
    await fn(own);
  } finally {
    await own.close();
  }
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the keycloak:install command line', () => {
  let kc: FakeKeycloakAdmin;
  const secrets = {
    KEYCLOAK_ADMIN_PASSWORD: 'admin',
    SMS_MFA_BRIDGE_CLIENT_SECRET: 'kc-secret-0123456789',
  };
  before(async () => {
    kc = await startFakeKeycloak();
  });
  after(() => kc.close());

  it('takes passwords and secrets from the environment when the flags leave them out', () => {
    const options = parseCli(
      ['--url', 'http://kc:8080/', ...REQUIRED_FLAGS, '--admin-user', 'admin'],
      secrets,
    );
    assert.notEqual(options, 'help');
    if (options === 'help') {
      return;
    }
    assert.equal(options.url, 'http://kc:8080');
    assert.deepEqual(options.login, { kind: 'password', username: 'admin', password: 'admin' });
    assert.equal(options.install.bridgeClientSecret, 'kc-secret-0123456789');
    assert.equal(options.install.flowAlias, 'browser with sms');
    assert.equal(options.install.providerId, 'script-sms-authenticator.js');
    assert.equal(options.install.phoneAttribute, 'mobile_number');
    assert.equal(options.install.tokenRealm, 'mfa');
  });

  it('chooses client credentials when an admin client id and secret are given', () => {
    const options = parseCli(
      ['--url', 'http://kc:8080', ...REQUIRED_FLAGS, '--admin-client-id', 'installer'],
      { KEYCLOAK_ADMIN_CLIENT_SECRET: 's3cret', SMS_MFA_BRIDGE_CLIENT_SECRET: 'x' },
    );
    assert.ok(
      options !== 'help' &&
        options.login.kind === 'client' &&
        options.login.clientId === 'installer',
    );
  });

  it('stores a vault reference for --bridge-client-secret-vault, warns about nothing, and says which vault file to fill', async () => {
    await withOwnKeycloak(async (fresh) => {
      const argv = [
        '--url',
        fresh.url,
        ...REQUIRED_FLAGS,
        '--admin-user',
        'admin',
        '--bridge-client-secret-vault',
        'sms_bridge',
      ];
      const result = await run(argv, { KEYCLOAK_ADMIN_PASSWORD: 'admin' });
      assert.equal(result.code, 0, result.err);
      assert.equal(result.err, '', 'no warning');
      assert.equal(fresh.realm.attributes['smsMfaClientSecret'], '${vault.sms_bridge}');
      assert.match(result.out, /vault entry "sms_bridge".*<dir>\/myrealm_sms__bridge$/m);
    });
  });

  it('stores no secret for --bridge-client-secret-env, and removes one an earlier run stored', async () => {
    await withOwnKeycloak(async (fresh) => {
      const argv = ['--url', fresh.url, ...REQUIRED_FLAGS, '--admin-user', 'admin'];
      assert.equal((await run(argv, secrets)).code, 0);
      assert.equal(
        fresh.realm.attributes['smsMfaClientSecret'],
        secrets.SMS_MFA_BRIDGE_CLIENT_SECRET,
      );
      const result = await run([...argv, '--bridge-client-secret-env'], secrets);
      assert.equal(result.code, 0, result.err);
      assert.equal(result.err, '', 'no warning');
      assert.ok(!('smsMfaClientSecret' in fresh.realm.attributes));
      assert.match(result.out, /^changed +realm +removed smsMfaClientSecret$/m);
    });
  });

  it('warns once, on stderr and without the secret, that realm admins can read a plain secret', async () => {
    await withOwnKeycloak(async (fresh) => {
      const result = await run(
        [
          '--url',
          fresh.url,
          ...REQUIRED_FLAGS,
          '--admin-user',
          'admin',
          '--bridge-client-secret',
          'plain-0123456789',
        ],
        { KEYCLOAK_ADMIN_PASSWORD: 'admin' },
      );
      assert.equal(result.code, 0, result.err);
      assert.equal(result.err.split('\n').length, 1, result.err);
      assert.match(
        result.err,
        /^warning: .*smsMfaClientSecret.*every admin who can view the realm.*--bridge-client-secret-vault/,
      );
      assert.ok(!`${result.out}${result.err}`.includes('plain-0123456789'));
    });
  });

  it('takes exactly one way of giving the bridge client secret', () => {
    const base = ['--url', 'http://kc:8080', ...REQUIRED_FLAGS, '--admin-user', 'admin'];
    const problem = (argv: string[], env: NodeJS.ProcessEnv = {}) => {
      try {
        parseCli([...base, ...argv], { KEYCLOAK_ADMIN_PASSWORD: 'admin', ...env });
        return '';
      } catch (err) {
        assert.ok(err instanceof UsageError);
        return err.message;
      }
    };
    assert.match(
      problem(['--bridge-client-secret-vault', 'k', '--bridge-client-secret-env']),
      /give only one of --bridge-client-secret-vault <key>, --bridge-client-secret-env, --bridge-client-secret <secret>/,
    );
    assert.match(
      problem(['--bridge-client-secret', 's', '--bridge-client-secret-vault', 'k']),
      /give only one of/,
    );
    assert.match(
      problem([]),
      /one of --bridge-client-secret-vault <key>, --bridge-client-secret-env, --bridge-client-secret <secret> \(or SMS_MFA_BRIDGE_CLIENT_SECRET\) is required/,
    );
    assert.match(problem(['--bridge-client-secret-vault', '../etc/x']), /a vault key of letters/);
    assert.equal(
      problem(['--bridge-client-secret-vault', 'k'], { SMS_MFA_BRIDGE_CLIENT_SECRET: 'x' }),
      '',
      'a secret left in the environment does not count as a second choice',
    );
  });

  it('names every missing or wrong flag at once, and exits 2 with the usage', async () => {
    assert.throws(
      () => parseCli(['--url', 'kc:8080', '--missing-phone', 'maybe'], {}),
      (err: Error) => {
        assert.ok(err instanceof UsageError);
        for (const part of [
          '--url must be an http(s) URL',
          '--bridge-url',
          '--bridge-client-id',
          '--bridge-client-secret',
          '--realm',
          '--missing-phone must be skip or fail',
          '--admin-user and --admin-password',
        ]) {
          assert.ok(err.message.includes(part), `mentions ${part}: ${err.message}`);
        }
        return true;
      },
    );
    const result = await run(['--url', 'http://kc']);
    assert.equal(result.code, 2);
    assert.match(result.err, /Usage: npm run keycloak:install/);
  });

  it('installs, prints one line per step, and says so when a second run has nothing to change', async () => {
    const argv = ['--url', kc.url, ...REQUIRED_FLAGS, '--admin-user', 'admin'];
    const first = await run(argv, secrets);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /^changed +flow +copied "browser" to "browser with sms"$/m);
    assert.match(first.out, /done: \d+ change\(s\) in realm "myrealm"/);
    const second = await run(argv, secrets);
    assert.equal(second.code, 0, second.err);
    assert.doesNotMatch(second.out, /^changed/m);
    assert.match(second.out, /already set up, nothing changed/);
  });

  it('says the admin login was refused, for which user and realm, when the password is wrong', async () => {
    const result = await run(['--url', kc.url, ...REQUIRED_FLAGS, '--admin-user', 'admin'], {
      ...secrets,
      KEYCLOAK_ADMIN_PASSWORD: 'wrong',
    });
    assert.equal(result.code, 1);
    assert.match(
      result.err,
      /refused the admin login for user "admin" \(client admin-cli\) in realm "master" \(HTTP 401: invalid_grant\); check the credentials/,
    );
    assert.doesNotMatch(result.err, /wrong/, 'the password is not echoed');
  });

  it('says Keycloak cannot be reached when nothing listens at the URL', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const result = await run(['--url', url, ...REQUIRED_FLAGS, '--admin-user', 'admin'], secrets);
    assert.equal(result.code, 1);
    assert.equal(
      result.err.split('\n').at(-1),
      `keycloak:install failed: cannot reach Keycloak at ${url} (ECONNREFUSED); is it running, and is --url right?`,
    );
  });

  it('says the realm does not exist', async () => {
    const result = await run(
      [
        '--url',
        kc.url,
        ...REQUIRED_FLAGS.map((a) => (a === 'myrealm' ? 'nope' : a)),
        '--admin-user',
        'admin',
      ],
      secrets,
    );
    assert.equal(result.code, 1);
    assert.match(result.err, /realm "nope" not found/);
  });

  it('runs as `npm run keycloak:install` from the repository root', () => {
    const result = spawnSync('npm', ['run', '--silent', 'keycloak:install', '--', '--help'], {
      cwd: new URL('../../..', import.meta.url),
      encoding: 'utf8',
    });
    assert.equal(result.status, 0, result.stderr);
    for (const flag of [
      '--bridge-client-secret-vault <key>',
      '--bridge-client-secret-env',
      '--bridge-client-secret <s>',
    ]) {
      assert.ok(result.stdout.includes(flag), flag);
    }
  });
});
