// The registration process through the admin API (scope mfa:admin), and the applications configured by environment.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import {
  ADMIN,
  call,
  fetchToken,
  startTestBridge,
  type TestBridge,
} from './support/bridge-harness.js';

const APPS = '/admin/v1/applications';

interface Failure {
  code: string;
  details?: { field: string; message: string }[];
}

describe('the admin API for applications', () => {
  const redis = useRedis();
  let bridge: TestBridge;
  let admin: string;
  const post = (body: unknown) => call(`${bridge.url}${APPS}`, admin, { method: 'POST', body });
  before(async () => {
    bridge = await startTestBridge(redis.url);
    redis.defer(() => bridge.close());
    admin = await fetchToken(bridge.url, ADMIN.clientId, ADMIN.clientSecret);
  });

  it('registers an application, shows its secret once and stores only a hash of it', async () => {
    const res = await post({ name: 'Acme Shop', allowedCountries: ['in', 'BR'] });
    assert.equal(res.status, 201);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const created = (await res.json()) as {
      clientId: string;
      clientSecret: string;
      secretHash?: string;
    };
    assert.ok(created.clientSecret.length >= 40);
    assert.equal(created.secretHash, undefined);
    assert.equal(res.headers.get('location'), `${APPS}/${created.clientId}`);
    const stored = await redis.client().hgetall(`{mfa}:app:${created.clientId}`);
    assert.equal(
      JSON.stringify(stored).includes(created.clientSecret),
      false,
      'the secret is not in Redis',
    );
    assert.match(stored['secretHash'] ?? '', /^scrypt\$/);
    const shown = (await (
      await call(`${bridge.url}${APPS}/${created.clientId}`, admin)
    ).json()) as Record<string, unknown>;
    assert.equal('clientSecret' in shown || 'secretHash' in shown, false);
    assert.ok(
      await fetchToken(bridge.url, created.clientId, created.clientSecret),
      'the secret works',
    );
  });

  it('gives an application the default code settings it does not set', async () => {
    const app = (await (await post({ name: 'Defaults' })).json()) as Record<string, unknown>;
    assert.equal(app['brand'], 'Defaults');
    assert.equal(app['codeLength'], 6);
    assert.equal(app['otpTtlSeconds'], 300);
    assert.equal(app['maxAttempts'], 5);
    assert.deepEqual(app['deviceTypes'], ['SMS']);
    assert.deepEqual(app['allowedCountries'], []);
    assert.deepEqual(app['scopes'], ['mfa:send', 'mfa:verify']);
  });

  it('names every field at fault when it refuses an application', async () => {
    const res = await post({
      codeLength: 3,
      otpTtlSeconds: 30,
      maxAttempts: 0,
      deviceTypes: ['FAX'],
      allowedCountries: ['XX'],
      senderId: 'far-too-long-sender',
      webOtpDomain: 'not a domain',
      returnUrls: ['javascript:alert(1)'],
      templates: [{ text: 'Hello {name}' }],
      brand: 'x'.repeat(41),
      scopes: ['root'],
      favouriteColour: 'red',
    });
    assert.equal(res.status, 400);
    const body = (await res.json()) as Failure;
    assert.equal(body.code, 'INVALID_REQUEST');
    const fields = new Set(body.details?.map((d) => d.field));
    for (const field of [
      'name',
      'codeLength',
      'otpTtlSeconds',
      'maxAttempts',
      'deviceTypes.0',
      'allowedCountries.0',
      'senderId',
      'webOtpDomain',
      'returnUrls.0',
      'templates.0.text',
      'brand',
      'scopes.0',
      'favouriteColour',
    ]) {
      assert.ok(fields.has(field), `details name ${field}: ${JSON.stringify(body.details)}`);
    }
  });

  it('checks templates at save time: known placeholders only, {code} required, no control characters', async () => {
    const cases: [string, RegExp][] = [
      ['Your code: {otp}', /unknown placeholder \{otp\}/],
      ['Code {code', /brace/],
      ['{brand} says hello', /must contain \{code\}/],
      ['Code {code}\u0007', /control characters/],
      [`${'x'.repeat(320)}{code}`, /too big|<=320/i],
    ];
    for (const [text, message] of cases) {
      const body = (await (await post({ name: 'T', templates: [{ text }] })).json()) as Failure;
      assert.match(body.details?.[0]?.message ?? '', message, text.slice(0, 40));
    }
    const ok = await post({
      name: 'T',
      templates: [
        {
          name: 'login',
          locale: 'pt-br',
          deviceType: 'whatsapp',
          text: '{brand}: código {code}, válido por {minutes} min',
        },
      ],
    });
    assert.equal(ok.status, 201);
    const saved = (await ok.json()) as { templates: { locale: string; deviceType: string }[] };
    assert.deepEqual(
      [saved.templates[0]?.locale, saved.templates[0]?.deviceType],
      ['pt-BR', 'WHATSAPP'],
    );
  });

  it('refuses names that are empty, too long or carry control characters, and bodies that are not JSON objects', async () => {
    for (const name of ['', ' ', 'x'.repeat(101), 'evil\u202Ename', 'line\nbreak']) {
      const body = (await (await post({ name })).json()) as Failure;
      assert.deepEqual(
        body.details?.map((d) => d.field),
        ['name'],
        JSON.stringify(name),
      );
    }
    assert.equal((await post([1, 2])).status, 400);
    const huge = await post({ name: 'x'.repeat(20_000) });
    assert.equal(huge.status, 413);
  });

  it('refuses a client id that is already registered', async () => {
    assert.equal((await post({ name: 'First', clientId: 'taken-id' })).status, 201);
    const body = (await (await post({ name: 'Second', clientId: 'taken-id' })).json()) as Failure;
    assert.deepEqual(body.details, [{ field: 'clientId', message: 'is already registered' }]);
  });

  it('lists applications without their secrets', async () => {
    const { applications } = (await (await call(`${bridge.url}${APPS}`, admin)).json()) as {
      applications: Record<string, unknown>[];
    };
    assert.ok(applications.some((a) => a['clientId'] === ADMIN.clientId));
    assert.ok(applications.every((a) => !('secretHash' in a) && !('clientSecret' in a)));
  });

  it('changes settings with PATCH, and null clears an optional one', async () => {
    const { clientId } = (await (await post({ name: 'Patchy', senderId: 'ACME' })).json()) as {
      clientId: string;
    };
    const res = await call(`${bridge.url}${APPS}/${clientId}`, admin, {
      method: 'PATCH',
      body: { codeLength: 8, senderId: null, allowedCountries: ['PT'] },
    });
    assert.equal(res.status, 200);
    const app = (await res.json()) as Record<string, unknown>;
    assert.equal(app['codeLength'], 8);
    assert.equal('senderId' in app, false);
    assert.deepEqual(app['allowedCountries'], ['PT']);
    assert.equal(app['name'], 'Patchy');
    const empty = (await (
      await call(`${bridge.url}${APPS}/${clientId}`, admin, { method: 'PATCH', body: {} })
    ).json()) as Failure;
    assert.equal(empty.code, 'INVALID_REQUEST');
    const unknown = (await (
      await call(`${bridge.url}${APPS}/${clientId}`, admin, {
        method: 'PATCH',
        body: { clientId: 'other' },
      })
    ).json()) as Failure;
    assert.deepEqual(
      unknown.details?.map((d) => d.field),
      ['clientId'],
    );
  });

  it('rotates a secret: the new one works at once and the old one no longer does', async () => {
    const created = (await (await post({ name: 'Rotating' })).json()) as {
      clientId: string;
      clientSecret: string;
    };
    const res = await call(`${bridge.url}${APPS}/${created.clientId}/secret`, admin, {
      method: 'POST',
    });
    assert.equal(res.status, 200);
    const { clientSecret } = (await res.json()) as { clientSecret: string };
    assert.notEqual(clientSecret, created.clientSecret);
    assert.ok(await fetchToken(bridge.url, created.clientId, clientSecret));
    await assert.rejects(fetchToken(bridge.url, created.clientId, created.clientSecret), /401/);
  });

  it('deletes an application, after which it is gone', async () => {
    const { clientId } = (await (await post({ name: 'Short-lived' })).json()) as {
      clientId: string;
    };
    assert.equal(
      (await call(`${bridge.url}${APPS}/${clientId}`, admin, { method: 'DELETE' })).status,
      204,
    );
    assert.equal((await call(`${bridge.url}${APPS}/${clientId}`, admin)).status, 404);
    assert.equal(await redis.client().sismember('{mfa}:apps', clientId), 0);
  });

  it('answers 404 in the CIAM shape for an application that does not exist', async () => {
    for (const [method, path, body] of [
      ['GET', '', undefined],
      ['PATCH', '', { name: 'x' }],
      ['DELETE', '', undefined],
      ['POST', '/secret', undefined],
    ] as const) {
      const res = await call(`${bridge.url}${APPS}/no-such-app${path}`, admin, { method, body });
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(((await res.json()) as Failure).code, 'NOT_FOUND');
    }
  });
});

describe('applications configured by environment', () => {
  const redis = useRedis();
  const demoEnv = {
    BRIDGE_DEMO_CLIENT_ID: 'demo-client',
    BRIDGE_DEMO_CLIENT_SECRET: 'demo-secret-1',
  };

  it('creates the demo application at start-up, able to send on every channel to every country and to use authenticator apps', async () => {
    const bridge = await startTestBridge(redis.url, demoEnv);
    redis.defer(() => bridge.close());
    const demo = await bridge.apps.get('demo-client');
    assert.deepEqual(demo?.scopes, ['mfa:send', 'mfa:verify']);
    assert.deepEqual(demo?.deviceTypes, ['SMS', 'WHATSAPP', 'TELEGRAM', 'TOTP']);
    assert.deepEqual(demo?.allowedCountries, []);
    assert.ok(await fetchToken(bridge.url, 'demo-client', 'demo-secret-1'));
    // as a demo client created before the bridge knew authenticator apps
    await bridge.apps.update('demo-client', { brand: 'Renamed', deviceTypes: ['SMS'] });
    await bridge.close();
  });

  it("updates the demo application's secret at the next start, adds the device types it lacks, and keeps its other settings", async () => {
    const bridge = await startTestBridge(redis.url, {
      ...demoEnv,
      BRIDGE_DEMO_CLIENT_SECRET: 'demo-secret-2',
    });
    redis.defer(() => bridge.close());
    assert.ok(await fetchToken(bridge.url, 'demo-client', 'demo-secret-2'));
    await assert.rejects(fetchToken(bridge.url, 'demo-client', 'demo-secret-1'), /401/);
    assert.equal((await bridge.apps.get('demo-client'))?.brand, 'Renamed');
    assert.deepEqual((await bridge.apps.get('demo-client'))?.deviceTypes, [
      'SMS',
      'WHATSAPP',
      'TELEGRAM',
      'TOTP',
    ]);
  });
});
