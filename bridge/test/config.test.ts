import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import express from 'express';
import { ConfigError } from '@sms-mfa/common/config-error';
import { loadConfig } from '../src/config.js';

const ISSUER = 'https://sso.example.com/realms/shop';

function problems(env: Record<string, string>): readonly string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      return err.problems;
    }
    throw err;
  }
  return [];
}

describe("the bridge's credentials for the reference API", () => {
  it('sends REFERENCE_API_KEY, or nothing, when no client is configured', () => {
    assert.equal(loadConfig({}).referenceApi.clientCredentials, undefined);
    assert.equal(
      loadConfig({ REFERENCE_API_KEY: 'k'.repeat(32) }).referenceApi.apiKey,
      'k'.repeat(32),
    );
  });

  it("takes a client of OIDC_ISSUER_URL's realm, whose discovery names the token endpoint", () => {
    const config = loadConfig({
      OIDC_ISSUER_URL: `${ISSUER}/`,
      REFERENCE_API_CLIENT_ID: 'sms-bridge',
      REFERENCE_API_CLIENT_SECRET: 'a-client-secret',
    });
    assert.deepEqual(config.referenceApi.clientCredentials, {
      clientId: 'sms-bridge',
      clientSecret: 'a-client-secret',
      tokenUrl: undefined,
      issuerUrl: ISSUER,
    });
  });

  it('reads the client secret from REFERENCE_API_CLIENT_SECRET_FILE, and takes REFERENCE_API_TOKEN_URL without an issuer', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bridge-config-'));
    try {
      writeFileSync(join(dir, 'secret'), 'secret-from-a-file\n');
      const config = loadConfig({
        REFERENCE_API_CLIENT_ID: 'sms-bridge',
        REFERENCE_API_CLIENT_SECRET_FILE: join(dir, 'secret'),
        REFERENCE_API_TOKEN_URL: `${ISSUER}/protocol/openid-connect/token`,
      });
      assert.equal(config.referenceApi.clientCredentials?.clientSecret, 'secret-from-a-file');
      assert.equal(
        config.referenceApi.clientCredentials?.tokenUrl,
        `${ISSUER}/protocol/openid-connect/token`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a client id without its secret, and a secret without its id', () => {
    assert.deepEqual(problems({ OIDC_ISSUER_URL: ISSUER, REFERENCE_API_CLIENT_ID: 'sms-bridge' }), [
      'REFERENCE_API_CLIENT_SECRET: required with REFERENCE_API_CLIENT_ID',
    ]);
    assert.deepEqual(
      problems({ OIDC_ISSUER_URL: ISSUER, REFERENCE_API_CLIENT_SECRET: 'a-client-secret' }),
      ['REFERENCE_API_CLIENT_ID: required with REFERENCE_API_CLIENT_SECRET'],
    );
  });

  it('refuses a client with nowhere to get tokens, a client beside an API key, and a token URL that is not http(s)', () => {
    const client = {
      REFERENCE_API_CLIENT_ID: 'sms-bridge',
      REFERENCE_API_CLIENT_SECRET: 'secret-1',
    };
    assert.match(problems(client).join('\n'), /needs REFERENCE_API_TOKEN_URL, or OIDC_ISSUER_URL/);
    assert.match(
      problems({ ...client, OIDC_ISSUER_URL: ISSUER, REFERENCE_API_KEY: 'k'.repeat(32) }).join(),
      /set either REFERENCE_API_KEY or REFERENCE_API_CLIENT_ID and _SECRET, not both/,
    );
    assert.match(
      problems({ ...client, REFERENCE_API_TOKEN_URL: 'ftp://sso.example.com/token' }).join(),
      /REFERENCE_API_TOKEN_URL/,
    );
  });
});

describe('the proxies the bridge trusts (TRUST_PROXY)', () => {
  it('trusts none by default, so X-Forwarded-For never picks the address that rate limits count', () => {
    assert.equal(loadConfig({}).trustProxy, false);
  });

  it('takes what Express takes: names, addresses, subnets, a hop count', () => {
    for (const value of ['loopback', '10.0.0.0/8,192.168.1.1', 'uniquelocal, ::1', '2', 'false']) {
      const { trustProxy } = loadConfig({ TRUST_PROXY: value });
      assert.doesNotThrow(() => express().set('trust proxy', trustProxy), value);
    }
    assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 192.168.1.1' }).trustProxy, [
      '10.0.0.0/8',
      '192.168.1.1',
    ]);
  });

  it('refuses a value Express would not understand, or true, with a line naming TRUST_PROXY', () => {
    assert.deepEqual(problems({ TRUST_PROXY: 'proxy.internal' }), [
      'TRUST_PROXY: "proxy.internal": not a proxy address; use false, a hop count, or a comma-separated list of loopback, linklocal, uniquelocal, addresses and subnets (10.0.0.0/8)',
    ]);
    assert.match(
      problems({ TRUST_PROXY: '10.0.0.0/40' })[0] ?? '',
      /^TRUST_PROXY: "10\.0\.0\.0\/40"/,
    );
    assert.match(problems({ TRUST_PROXY: 'true' })[0] ?? '', /^TRUST_PROXY: true would trust/);
  });
});
