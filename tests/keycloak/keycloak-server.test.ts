// The Keycloak launcher's refusals: what a user who cannot start Keycloak is told.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  distribution,
  KeycloakSetupError,
  startKeycloak,
} from '@sms-mfa/bridge/keycloak/server/server';

describe('the Keycloak launcher, when Keycloak cannot be had', () => {
  it('says in one line what Maven answered when the distribution cannot be fetched, and unpacks nothing', () => {
    const cache = mkdtempSync(join(tmpdir(), 'kc-cache-'));
    const saved = process.env['SMS_MFA_CACHE_DIR'];
    process.env['SMS_MFA_CACHE_DIR'] = cache;
    try {
      assert.throws(
        () => distribution('0.0.0-no-such-version'),
        (err: unknown) =>
          err instanceof KeycloakSetupError &&
          /^Maven could not fetch org\.keycloak:keycloak-quarkus-dist:0\.0\.0-no-such-version:tar\.gz: .*(Could not find artifact|was not found)/.test(
            err.message,
          ) &&
          !err.message.includes('\n'),
      );
    } finally {
      if (saved === undefined) {
        delete process.env['SMS_MFA_CACHE_DIR'];
      } else {
        process.env['SMS_MFA_CACHE_DIR'] = saved;
      }
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it('refuses a port that is already taken, naming the variable that moves it', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((done) => server.once('listening', done));
    const port = (server.address() as { port: number }).port;
    try {
      await assert.rejects(startKeycloak({ port }), {
        name: 'KeycloakSetupError',
        message: `port ${port} is already in use: stop what listens there or set KEYCLOAK_PORT to another port`,
      });
    } finally {
      server.close();
    }
  });
});
