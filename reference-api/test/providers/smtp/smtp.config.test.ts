// The SMTP_* variables: what smtp needs once a chain names it, and what the settings default to.
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

describe('smtp configuration', () => {
  it('names SMTP_HOST when smtp is in PROVIDERS without it, as for every provider', () => {
    assert.deepEqual(problemsOf({ PROVIDERS: 'smtp' }), [
      'SMTP_HOST: required by provider "smtp" (PROVIDERS or PROVIDER_ROUTES)',
    ]);
  });

  it('asks for SMTP_PASSWORD when SMTP_USER is set, also for a chain named only in PROVIDER_ROUTES', () => {
    assert.deepEqual(
      problemsOf({ PROVIDER_ROUTES: 'email→smtp', SMTP_HOST: 'relay.example', SMTP_USER: 'u' }),
      ['SMTP_PASSWORD: required by provider "smtp" (PROVIDERS or PROVIDER_ROUTES)'],
    );
  });

  it('refuses an SMTP_SECURITY it does not know', () => {
    assert.deepEqual(problemsOf({ SMTP_SECURITY: 'ssl' }), [
      'SMTP_SECURITY: must be one of starttls, tls, none',
    ]);
  });

  it('defaults to STARTTLS on 587 with a verified certificate, and implicit TLS to 465', () => {
    const starttls = loadConfig({ PROVIDERS: 'smtp', SMTP_HOST: 'relay.example' });
    assert.deepEqual(starttls.providerSettings.smtp, {
      host: 'relay.example',
      port: 587,
      security: 'starttls',
      user: undefined,
      password: undefined,
      rejectUnauthorized: true,
    });
    assert.equal(loadConfig({ SMTP_SECURITY: 'tls' }).providerSettings.smtp.port, 465);
    // nodemailer's own name for implicit TLS works too.
    assert.equal(loadConfig({ SMTP_SECURE: 'true' }).providerSettings.smtp.security, 'tls');
  });

  it('routes email addresses by the email rule of PROVIDER_ROUTES', () => {
    const config = loadConfig({
      PROVIDER_ROUTES: 'email→smtp; *→outbox',
      SMTP_HOST: 'relay.example',
    });
    assert.deepEqual(config.enabledProviders, ['outbox', 'smtp']);
  });
});
