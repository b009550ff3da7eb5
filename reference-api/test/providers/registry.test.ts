// The registry is the one list of providers: each module brings its id, channels and configuration,
// and config.ts reads every provider's variables through it.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Redis } from 'ioredis';
import { ConfigError } from '@sms-mfa/common/config-error';
import { createLogger } from '@sms-mfa/common/logger';
import { loadConfig } from '../../src/config.js';
import { createProviders, PROVIDER_IDS, PROVIDER_MODULES } from '../../src/providers/registry.js';
import type { Channel } from '../../src/providers/sms-provider.js';
import { scratchDir } from '../support/worker-harness.js';

const CHANNELS: readonly Channel[] = ['sms', 'whatsapp', 'telegram', 'email'];

/** Credentials enough to enable every provider. */
const EVERY_PROVIDER = {
  PROVIDERS: 'twilio,vonage,sendpulse,telegram,smtp,sendgrid,outbox',
  TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
  TWILIO_AUTH_TOKEN: 'twilio-token',
  TWILIO_FROM: '+15005550006',
  VONAGE_API_KEY: 'abcd1234',
  VONAGE_API_SECRET: 'vonage-secret',
  VONAGE_FROM: 'Acme',
  SENDPULSE_CLIENT_ID: 'client',
  SENDPULSE_CLIENT_SECRET: 'sendpulse-secret',
  SENDPULSE_SENDER: 'Acme',
  TELEGRAM_GATEWAY_TOKEN: 'gateway-token',
  SMTP_HOST: 'smtp.example.test',
  SENDGRID_API_KEY: 'SG.sendgrid-key',
};

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  return assert.fail('expected a ConfigError');
}

describe('provider registry', () => {
  const dir = scratchDir();
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('has every registered module declare its id, its channels and its configuration', () => {
    for (const module of PROVIDER_MODULES) {
      assert.match(module.id, /^[a-z][a-z0-9-]*$/, 'an id fit for PROVIDERS and /webhooks/<id>');
      assert.ok(module.channels.size > 0, `${module.id} serves a channel`);
      assert.ok(
        [...module.channels].every((c) => CHANNELS.includes(c)),
        `${module.id} channels`,
      );
      assert.equal(typeof module.config.settings, 'function', `${module.id} reads its settings`);
      assert.equal(typeof module.create, 'function', `${module.id} builds a sender`);
      const variables = Object.keys(module.config.env.shape);
      const named = [
        ...module.config.secrets,
        ...module.config.required.flatMap((r) =>
          typeof r === 'string' ? r : r.name.split(' or '),
        ),
      ];
      for (const name of named) {
        assert.ok(variables.includes(name), `${module.id} declares the variable ${name}`);
      }
    }
  });

  it('derives PROVIDER_IDS from the modules, in registry order, each once', () => {
    assert.deepEqual(
      PROVIDER_IDS,
      PROVIDER_MODULES.map((m) => m.id),
    );
    assert.deepEqual(PROVIDER_IDS, [
      'outbox',
      'twilio',
      'vonage',
      'sendpulse',
      'telegram',
      'smtp',
      'sendgrid',
    ]);
    assert.equal(new Set(PROVIDER_IDS).size, PROVIDER_IDS.length);
  });

  it('gives no two modules the same variable', () => {
    const variables = PROVIDER_MODULES.flatMap((m) => Object.keys(m.config.env.shape));
    assert.equal(new Set(variables).size, variables.length);
  });

  it('fails start-up naming the variable a provider in PROVIDERS still needs, as it always has', () => {
    assert.deepEqual(
      problemsOf({ PROVIDERS: 'vonage', VONAGE_API_KEY: 'abcd1234', VONAGE_FROM: 'Acme' }),
      ['VONAGE_API_SECRET: required by provider "vonage" (PROVIDERS or PROVIDER_ROUTES)'],
    );
  });

  it('names a missing alternative as "A or B", for providers named only in PROVIDER_ROUTES too', () => {
    assert.deepEqual(
      problemsOf({
        PROVIDER_ROUTES: '+55→twilio; +7→telegram',
        TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
        TWILIO_API_KEY_SID: `SK${'a'.repeat(32)}`,
        TWILIO_API_KEY_SECRET: 'key-secret',
      }),
      [
        'TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID: required by provider "twilio" (PROVIDERS or PROVIDER_ROUTES)',
        'TELEGRAM_GATEWAY_TOKEN or TELEGRAM_BOT_TOKEN: required by provider "telegram" (PROVIDERS or PROVIDER_ROUTES)',
      ],
    );
  });

  it("validates a provider's variables even when no chain names it", () => {
    assert.deepEqual(problemsOf({ PROVIDERS: 'outbox', TWILIO_BASE_URL: 'not a url' }), [
      'TWILIO_BASE_URL: Invalid URL',
    ]);
  });

  it("reads a module's secret from its _FILE variant", () => {
    const file = join(dir, 'sendpulse-secret');
    writeFileSync(file, 'from-a-file\n');
    const env: Record<string, string> = { ...EVERY_PROVIDER, SENDPULSE_CLIENT_SECRET_FILE: file };
    delete env['SENDPULSE_CLIENT_SECRET'];
    const config = loadConfig(env);
    assert.equal(config.providerSettings.sendpulse.clientSecret, 'from-a-file');
  });

  it('resolves the _FILE variant of every secret a module declares', () => {
    for (const name of PROVIDER_MODULES.flatMap((m) => m.config.secrets)) {
      assert.deepEqual(problemsOf({ [`${name}_FILE`]: join(dir, 'absent') }), [
        `${name}_FILE: cannot read ${join(dir, 'absent')} (ENOENT)`,
      ]);
    }
  });

  it('gives each module its own settings, defaults included', () => {
    const { providerSettings } = loadConfig({ OUTBOX_DELAY_MS: '250' });
    assert.equal(providerSettings.outbox.delayMs, 250);
    assert.equal(providerSettings.twilio.baseUrl, 'https://api.twilio.com');
    assert.equal(providerSettings.vonage.restHost, 'https://rest.nexmo.com');
    assert.equal(providerSettings.telegram.botToken, undefined);
  });

  it('has every module build a sender under its own id, on channels it declares', () => {
    const config = loadConfig(EVERY_PROVIDER);
    const providers = createProviders({
      config,
      redis: {} as Redis,
      logger: createLogger('registry', 'silent'),
      webhookUrl: () => undefined,
    });
    assert.deepEqual(
      providers.map((p) => p.id),
      config.enabledProviders,
    );
    for (const provider of providers) {
      const module = PROVIDER_MODULES.find((m) => m.id === provider.id);
      assert.ok(
        [...provider.channels].every((c) => module?.channels.has(c)),
        provider.id,
      );
    }
  });
});
