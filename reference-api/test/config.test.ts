import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '@sms-mfa/common/config-error';
import { loadConfig } from '../src/config.js';
import { scratchDir } from './support/worker-harness.js';

describe('reference API configuration', () => {
  it('starts on the embedded default with no variables: port 3412, loopback, the outbox', () => {
    const config = loadConfig({});
    assert.equal(config.port, 3412);
    assert.equal(config.host, '127.0.0.1');
    assert.deepEqual(config.providers, ['outbox']);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.auth), 'config is frozen');
  });

  it('reports every problem at once', () => {
    try {
      loadConfig({
        REFERENCE_API_PORT: 'abc',
        PROVIDERS: 'outbox,carrier-pigeon',
        REDIS_URL: 'http://x',
      });
      assert.fail('expected a ConfigError');
    } catch (err) {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.problems.length, 3, err.message);
      assert.match(err.message, /REFERENCE_API_PORT/);
      assert.match(err.message, /PROVIDERS/);
      assert.match(err.message, /REDIS_URL/);
    }
  });

  it('refuses to bind to a public address without authentication unless told to', () => {
    assert.throws(
      () => loadConfig({ REFERENCE_API_HOST: '0.0.0.0' }),
      /REFERENCE_API_KEY or OIDC_ISSUER_URL/,
    );
    assert.equal(
      loadConfig({ REFERENCE_API_HOST: '0.0.0.0', REFERENCE_API_ALLOW_UNAUTHENTICATED: 'true' })
        .host,
      '0.0.0.0',
    );
    assert.equal(
      loadConfig({ REFERENCE_API_HOST: '0.0.0.0', REFERENCE_API_KEY: 'a'.repeat(20) }).auth.apiKey,
      'a'.repeat(20),
    );
  });

  it('names the credentials a chosen provider still needs', () => {
    assert.throws(
      () => loadConfig({ PROVIDERS: 'twilio' }),
      (err: ConfigError) =>
        err.problems.some((p) => p.startsWith('TWILIO_ACCOUNT_SID')) &&
        err.problems.some((p) => p.startsWith('TWILIO_AUTH_TOKEN')),
    );
  });

  it('reads secrets from *_FILE variables', () => {
    const file = join(scratchDir(), 'key');
    writeFileSync(file, `${'s'.repeat(24)}\n`);
    assert.equal(loadConfig({ REFERENCE_API_KEY_FILE: file }).auth.apiKey, 's'.repeat(24));
    assert.throws(() => loadConfig({ REFERENCE_API_KEY_FILE: '/nonexistent/key' }), /cannot read/);
  });
});
