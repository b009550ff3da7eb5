import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkStartEnv } from '../scripts/check-start-env.js';

const ISSUER = 'https://sso.example.com/realms/shop';
const REFUSAL =
  'OIDC_ISSUER_URL makes the reference API require tokens with scope messages:send: ' +
  'set REFERENCE_API_CLIENT_ID and REFERENCE_API_CLIENT_SECRET (a confidential client of that ' +
  'realm with the messages:send scope), or REFERENCE_API_KEY';

describe('what npm start checks before starting anything', () => {
  it('starts the embedded default, with no variables at all', () => {
    assert.equal(checkStartEnv({}), null);
  });

  it('refuses OIDC_ISSUER_URL alone, saying exactly what to set', () => {
    assert.equal(checkStartEnv({ OIDC_ISSUER_URL: ISSUER }), REFUSAL);
  });

  it('refuses OIDC_ISSUER_URL with half a client: an id without a secret, or a secret without an id', () => {
    assert.equal(
      checkStartEnv({ OIDC_ISSUER_URL: ISSUER, REFERENCE_API_CLIENT_ID: 'sms-bridge' }),
      REFUSAL,
    );
    assert.equal(
      checkStartEnv({ OIDC_ISSUER_URL: ISSUER, REFERENCE_API_CLIENT_SECRET: 'secret' }),
      REFUSAL,
    );
  });

  it("starts with OIDC_ISSUER_URL and the bridge's client, its secret given directly or in a file", () => {
    const client = { OIDC_ISSUER_URL: ISSUER, REFERENCE_API_CLIENT_ID: 'sms-bridge' };
    assert.equal(checkStartEnv({ ...client, REFERENCE_API_CLIENT_SECRET: 'secret' }), null);
    assert.equal(
      checkStartEnv({ ...client, REFERENCE_API_CLIENT_SECRET_FILE: '/run/secrets/client' }),
      null,
    );
  });

  it('starts with OIDC_ISSUER_URL and REFERENCE_API_KEY (or its file): the reference API takes the key', () => {
    assert.equal(
      checkStartEnv({ OIDC_ISSUER_URL: ISSUER, REFERENCE_API_KEY: 'k'.repeat(32) }),
      null,
    );
    assert.equal(
      checkStartEnv({ OIDC_ISSUER_URL: ISSUER, REFERENCE_API_KEY_FILE: '/run/secrets/key' }),
      null,
    );
  });

  it('takes an empty variable as unset', () => {
    assert.equal(checkStartEnv({ OIDC_ISSUER_URL: '' }), null);
    assert.equal(checkStartEnv({ OIDC_ISSUER_URL: ISSUER, REFERENCE_API_KEY: '' }), REFUSAL);
  });
});
