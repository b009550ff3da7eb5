// Applications: message templates, the Redis-backed registry, and the `npm run apps` command line.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { openTarget } from '@sms-mfa/tests/support/redis-target';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import type { Application, MessageTemplate } from '../src/apps/application.js';
import { ApplicationStore } from '../src/apps/application-store.js';
import { renderTemplate } from '../src/apps/templates.js';
import { CiamError } from '../src/errors.js';
import { SigningKeys } from '../src/issuer/keys.js';
import { cli } from './support/apps-cli.js';

const DEFAULTS = {
  codeLength: 6,
  otpTtlSeconds: 300,
  maxAttempts: 5,
  resendCooldownSeconds: 30,
  maxSendsPerAuth: 5,
};

function app(
  templates: Partial<MessageTemplate>[] = [],
  extra: Partial<Application> = {},
): Application {
  return {
    clientId: 'acme',
    secretHash: undefined,
    name: 'Acme',
    brand: 'Acme',
    codeLength: 6,
    otpTtlSeconds: 300,
    maxAttempts: 5,
    resendCooldownSeconds: 30,
    maxSendsPerAuth: 5,
    deviceTypes: ['SMS', 'WHATSAPP'],
    allowedCountries: [],
    senderId: undefined,
    webOtpDomain: undefined,
    returnUrls: [],
    scopes: ['mfa:send'],
    createdAt: '',
    updatedAt: '',
    templates: templates.map((t) => ({
      name: 'default',
      locale: 'en',
      deviceType: 'SMS',
      text: '{code}',
      ...t,
    })),
    ...extra,
  };
}

const values = { code: '123456', minutes: 5 };

describe('message templates', () => {
  it('renders the built-in default with the brand, the code and the minutes', () => {
    assert.equal(
      renderTemplate(app(), { deviceType: 'SMS' }, values),
      'Acme: your verification code is 123456. It expires in 5 minutes.',
    );
  });

  it('picks the exact locale, then the language, then English, then the built-in default', () => {
    const templates = [
      { locale: 'pt-BR', text: 'BR {code}' },
      { locale: 'pt', text: 'PT {code}' },
      { locale: 'en', text: 'EN {code}' },
    ];
    assert.equal(
      renderTemplate(app(templates), { deviceType: 'SMS', locale: 'pt-BR' }, values),
      'BR 123456',
    );
    assert.equal(
      renderTemplate(app(templates), { deviceType: 'SMS', locale: 'pt-PT' }, values),
      'PT 123456',
    );
    assert.equal(
      renderTemplate(app(templates), { deviceType: 'SMS', locale: 'de' }, values),
      'EN 123456',
    );
    assert.match(
      renderTemplate(
        app([{ locale: 'fr', text: 'FR {code}' }]),
        { deviceType: 'SMS', locale: 'de' },
        values,
      ),
      /^Acme: your verification code/,
    );
  });

  it('prefers the template written for the device type', () => {
    const templates = [
      { text: 'sms {code}' },
      { deviceType: 'WHATSAPP' as const, text: 'wa {code}' },
    ];
    assert.equal(renderTemplate(app(templates), { deviceType: 'WHATSAPP' }, values), 'wa 123456');
    assert.equal(renderTemplate(app(templates), { deviceType: 'SMS' }, values), 'sms 123456');
  });

  it('fills values in one pass, so a brand cannot smuggle in a placeholder, and strips control and bidi characters', () => {
    const tricky = app([{ text: '{brand} {code} {minutes}' }], { brand: '{code}\u202E\u0007Evil' });
    assert.equal(renderTemplate(tricky, { deviceType: 'SMS' }, values), '{code}Evil 123456 5');
  });

  it('adds the WebOTP line last on SMS when the application has a domain, and not on WhatsApp', () => {
    const web = app([], { webOtpDomain: 'login.acme.example' });
    assert.match(
      renderTemplate(web, { deviceType: 'SMS' }, values),
      /\n\n@login\.acme\.example #123456$/,
    );
    assert.doesNotMatch(renderTemplate(web, { deviceType: 'WHATSAPP' }, values), /@login/);
  });

  it('refuses a template name the application does not have with TEMPLATE_NOT_FOUND (10011)', () => {
    assert.throws(
      () => renderTemplate(app(), { deviceType: 'SMS', templateName: 'promo' }, values),
      (err: unknown) =>
        err instanceof CiamError && err.code === 'TEMPLATE_NOT_FOUND' && err.status === 400,
    );
  });

  it('uses a named template in another language rather than failing', () => {
    const named = app([{ name: 'login', locale: 'fr', text: 'Connexion {code}' }]);
    assert.equal(
      renderTemplate(named, { deviceType: 'SMS', locale: 'de', templateName: 'login' }, values),
      'Connexion 123456',
    );
  });
});

describe('the application registry', () => {
  const redis = useRedis();
  let store: ApplicationStore;
  before(() => {
    const connection = openTarget(redis.url);
    redis.defer(() => connection.disconnect());
    store = new ApplicationStore(connection, '{mfa}', DEFAULTS);
  });

  it('accepts the right secret and refuses a wrong one, an empty one or an unknown client', async () => {
    const { application, clientSecret } = await store.create({ name: 'Shop' });
    assert.equal(
      (await store.verifySecret(application.clientId, clientSecret))?.clientId,
      application.clientId,
    );
    assert.equal(await store.verifySecret(application.clientId, `${clientSecret}x`), undefined);
    assert.equal(await store.verifySecret(application.clientId, ''), undefined);
    assert.equal(await store.verifySecret('nobody', clientSecret), undefined);
  });

  it('salts every hash, so equal secrets never look alike in Redis', async () => {
    const a = await store.create({ name: 'A' }, 'the-same-secret-0123456789');
    const b = await store.create({ name: 'B' }, 'the-same-secret-0123456789');
    assert.notEqual(a.application.secretHash, b.application.secretHash);
  });

  it('keeps both of two settings changes made at the same moment', async () => {
    const { application } = await store.create({ name: 'Busy' });
    await Promise.all([
      store.update(application.clientId, { brand: 'Busy Co' }),
      store.update(application.clientId, { codeLength: 8 }),
    ]);
    const after = await store.get(application.clientId);
    assert.deepEqual([after?.brand, after?.codeLength], ['Busy Co', 8]);
  });

  it('keeps a rotated secret when a settings change happens at the same moment', async () => {
    const { application } = await store.create({ name: 'Racy' });
    const [secret] = await Promise.all([
      store.rotateSecret(application.clientId),
      store.update(application.clientId, { name: 'Racy 2' }),
    ]);
    assert.ok(await store.verifySecret(application.clientId, secret!));
  });
});

/** Runs `npm run apps -- ...` (the same entry point) against the test Redis. */
describe('the apps command line', () => {
  const redis = useRedis();
  const env = () => ({ ...redis.env, BRIDGE_SECRET: 'cli-test-secret-0123456789abcdef' });

  it('registers an application and prints its client id and secret once', async () => {
    const { code, stdout } = await cli(
      [
        'create',
        '--name',
        'demo',
        '--countries',
        'IN,br',
        '--device-types',
        'sms,whatsapp',
        '--client-id',
        'cli-demo',
      ],
      env(),
    );
    assert.equal(code, 0);
    const secret = /client secret\s+(\S+)/.exec(stdout)?.[1];
    assert.ok(secret);
    const stored = await redis.client().hgetall('{mfa}:app:cli-demo');
    assert.deepEqual(JSON.parse(stored['record']!).allowedCountries, ['IN', 'BR']);
    assert.equal(JSON.stringify(stored).includes(secret), false);
    const listed = await cli(['list'], env());
    assert.match(listed.stdout, /cli-demo {2}demo .*countries=IN,BR/);
    assert.equal(listed.stdout.includes(secret), false);
  });

  it('names every field at fault and exits with 2', async () => {
    const { code, stderr } = await cli(
      ['create', '--name', 'bad', '--code-length', '3', '--countries', 'XX'],
      env(),
    );
    assert.equal(code, 2);
    assert.match(stderr, /codeLength: .*>=4/);
    assert.match(stderr, /allowedCountries\.0: must be an ISO 3166-1 alpha-2 country code/);
  });

  it('sets and changes the authenticator-app settings with --totp-algorithm and --totp-digits', async () => {
    const created = await cli(
      ['create', '--name', 'otp', '--client-id', 'cli-totp', '--device-types', 'sms,totp'],
      env(),
    );
    assert.equal(created.code, 0, created.stderr);
    const totpOf = async () =>
      JSON.parse((await redis.client().hget('{mfa}:app:cli-totp', 'record')) ?? '{}').totp;
    assert.deepEqual(await totpOf(), { algorithm: 'SHA1', digits: 6 });
    const updated = await cli(
      ['update', 'cli-totp', '--totp-algorithm', 'sha-256', '--totp-digits', '8'],
      env(),
    );
    assert.equal(updated.code, 0, updated.stderr);
    assert.deepEqual(await totpOf(), { algorithm: 'SHA256', digits: 8 });
    const refused = await cli(['update', 'cli-totp', '--totp-digits', '7'], env());
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /totp\.digits: must be 6 or 8/);
  });

  it('rotates a secret and deletes an application', async () => {
    await cli(['create', '--name', 'short', '--client-id', 'cli-short'], env());
    const rotated = await cli(['rotate-secret', 'cli-short', '--json'], env());
    const { clientSecret } = JSON.parse(rotated.stdout) as { clientSecret: string };
    const store = new ApplicationStore(redis.client(), '{mfa}', DEFAULTS);
    assert.ok(await store.verifySecret('cli-short', clientSecret));
    assert.equal((await cli(['delete', 'cli-short'], env())).code, 0);
    assert.equal(await store.get('cli-short'), undefined);
    assert.equal((await cli(['delete', 'cli-short'], env())).code, 1);
  });

  it('rotates the signing key, keeping the old one published, and refuses with a foreign secret', async () => {
    const keys = new SigningKeys(redis.client(), '{mfa}', Buffer.from(env().BRIDGE_SECRET));
    const first = await keys.ensure();
    const foreign = await cli(['rotate-keys'], {
      ...env(),
      BRIDGE_SECRET: 'not-the-bridge-secret-0123456789ab',
    });
    assert.equal(foreign.code, 1);
    assert.match(foreign.stderr, /BRIDGE_SECRET differs/);
    const { code, stdout } = await cli(['rotate-keys'], env());
    assert.equal(code, 0, stdout);
    const kids = (await keys.jwks()).keys.map((k) => k.kid);
    assert.equal(kids.length, 2);
    assert.equal(kids[1], first);
    assert.match(stdout, new RegExp(`${first} stays published for 360 s`));
  });

  it('explains how to reach Redis when none answers', async () => {
    const { code, stderr } = await cli(['list'], { EMBEDDED_REDIS_PORT: '1' });
    assert.equal(code, 1);
    assert.match(
      stderr,
      /cannot reach Redis at redis:\/\/127\.0\.0\.1:1: set REDIS_URL or REDIS_CLUSTER_NODES, or start the embedded default with `npm start` first/,
    );
  });

  it('names the cluster it could not reach, in one line, when REDIS_CLUSTER_NODES answers nothing', async () => {
    const { code, stderr } = await cli(['list'], {
      REDIS_CLUSTER_NODES: '127.0.0.1:1,127.0.0.1:2',
      BRIDGE_SECRET: 'cli-test-secret-0123456789abcdef',
    });
    assert.equal(code, 1);
    assert.equal(
      stderr,
      'error: cannot reach the Redis Cluster at 127.0.0.1:1,127.0.0.1:2: set REDIS_URL or REDIS_CLUSTER_NODES, or start the embedded default with `npm start` first\n',
    );
  });
});
