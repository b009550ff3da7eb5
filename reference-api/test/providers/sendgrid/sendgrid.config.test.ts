// The SENDGRID_* variables.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '@sms-mfa/common/config-error';
import { loadConfig } from '../../../src/config.js';

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  return assert.fail('expected a ConfigError');
}

describe('sendgrid configuration', () => {
  it('names SENDGRID_API_KEY when sendgrid is in a chain without it, as for every provider', () => {
    assert.deepEqual(problemsOf({ PROVIDER_ROUTES: 'email→sendgrid' }), [
      'SENDGRID_API_KEY: required by provider "sendgrid" (PROVIDERS or PROVIDER_ROUTES)',
    ]);
  });

  it('refuses a webhook verification key that is not an EC P-256 public key', () => {
    assert.deepEqual(problemsOf({ SENDGRID_WEBHOOK_PUBLIC_KEY: 'bm90IGEga2V5' }), [
      'SENDGRID_WEBHOOK_PUBLIC_KEY: must be the verification key SendGrid shows: a base64 (DER) EC P-256 public key',
    ]);
  });

  it('talks to api.sendgrid.com unless SENDGRID_BASE_URL (or SENDGRID_API_URL) says otherwise', () => {
    assert.equal(loadConfig({}).providerSettings.sendgrid.baseUrl, 'https://api.sendgrid.com');
    assert.equal(
      loadConfig({ SENDGRID_BASE_URL: 'https://api.eu.sendgrid.com/' }).providerSettings.sendgrid
        .baseUrl,
      'https://api.eu.sendgrid.com',
    );
    assert.equal(
      loadConfig({ SENDGRID_API_URL: 'http://127.0.0.1:9' }).providerSettings.sendgrid.baseUrl,
      'http://127.0.0.1:9',
    );
  });
});
