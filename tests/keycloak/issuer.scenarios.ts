// A real Keycloak realm as the token issuer (OIDC_ISSUER_URL): the bridge takes client-credentials
// tokens of a confidential client of that realm (matched by azp) and refuses others; the
// reference API in OIDC mode takes the bridge's own tokens only with the messages:send scope.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { outboxReader } from '@sms-mfa/tests/support/outbox-reader';
import { loadConfig as loadReferenceConfig } from '@sms-mfa/reference-api/config';
import { startReferenceApi } from '@sms-mfa/reference-api/service';
import { startBridge } from '@sms-mfa/bridge/service';
import { testConfig, testPhone } from '@sms-mfa/bridge/test/support/otp-fixtures';
import type { KeycloakE2e } from './support/keycloak-e2e.js';

const SEND_SCOPE = 'messages:send';
const secretOf = (clientId: string) => `${clientId}-secret-0123456789`;

/**
 * Creates a realm with confidential service-account clients, as an admin would for the bridge:
 * client scopes named after the bridge's scopes (mfa:send, mfa:verify) given to every client by
 * default, and messages:send as an optional scope of the bridge's own client.
 */
async function issuerRealm(e2e: KeycloakE2e, realm: string, clients: string[]): Promise<void> {
  const admin = await e2e.admin.client('master');
  await admin.realms.create({ realm, enabled: true });
  admin.setConfig({ realmName: realm });
  const scopes: Record<string, string> = {};
  for (const name of [SEND_SCOPE, 'mfa:send', 'mfa:verify']) {
    const { id } = await admin.clientScopes.create({
      name,
      protocol: 'openid-connect',
      attributes: { 'include.in.token.scope': 'true', 'display.on.consent.screen': 'false' },
    });
    scopes[name] = id;
  }
  for (const clientId of clients) {
    const { id } = await admin.clients.create({
      clientId,
      enabled: true,
      publicClient: false,
      secret: secretOf(clientId),
      serviceAccountsEnabled: true,
      standardFlowEnabled: false,
      directAccessGrantsEnabled: false,
    });
    if (clientId === 'sms-bridge') {
      await admin.clients.addOptionalClientScope({ id, clientScopeId: scopes[SEND_SCOPE]! });
    } else {
      for (const name of ['mfa:send', 'mfa:verify']) {
        await admin.clients.addDefaultClientScope({ id, clientScopeId: scopes[name]! });
      }
    }
  }
}

/** A client-credentials token from a realm of the real Keycloak. */
async function keycloakToken(
  e2e: KeycloakE2e,
  realm: string,
  clientId: string,
  scope?: string,
): Promise<string> {
  const res = await fetch(`${e2e.kc.url}/realms/${realm}/protocol/openid-connect/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${clientId}:${secretOf(clientId)}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...(scope ? { scope } : {}) }),
  });
  assert.equal(res.status, 200, `token for ${clientId} in ${realm}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function post(url: string, token: string, body: unknown) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Registers the issuer scenario. */
export function issuerScenarios(e2e: KeycloakE2e): void {
  it('accepts client-credentials tokens of a Keycloak realm in the bridge (by azp) and, with messages:send, in the reference API; refuses another realm and another client', async () => {
    await issuerRealm(e2e, 'issuer', ['shop', 'stranger', 'sms-bridge']);
    await issuerRealm(e2e, 'elsewhere', ['shop']);
    const issuer = `${e2e.kc.url}/realms/issuer`;
    const dataDir = mkdtempSync(join(tmpdir(), 'kc-issuer-'));
    const reference = await startReferenceApi(
      loadReferenceConfig({
        ...e2e.redis.env,
        REFERENCE_API_PORT: '0',
        DATA_DIR: dataDir,
        PROVIDERS: 'outbox',
        QUEUE_PREFIX: '{kc-issuer}',
        OIDC_ISSUER_URL: issuer,
        LOG_LEVEL: 'error',
      }),
      { role: 'all' },
    );
    const bridge = await startBridge(
      testConfig({
        ...e2e.redis.env,
        BRIDGE_PORT: '0',
        KEY_PREFIX: '{kc-issuer}',
        OIDC_ISSUER_URL: issuer,
        REFERENCE_API_URL: reference.url ?? '',
        REFERENCE_API_CLIENT_ID: 'sms-bridge',
        REFERENCE_API_CLIENT_SECRET: secretOf('sms-bridge'),
      }),
    );
    try {
      await bridge.apps.create({ name: 'Shop', clientId: 'shop', scopes: ['mfa:send'] });
      const send = (token: string, phone: string) =>
        post(`${bridge.url}/ciam-mfa/v2/deviceAuthentications`, token, {
          userName: 'jdoe',
          phoneNumber: phone,
          deviceType: 'sms',
        });

      const phone = testPhone(90);
      const accepted = await send(await keycloakToken(e2e, 'issuer', 'shop'), phone);
      assert.equal(accepted.status, 201, JSON.stringify(accepted.body));
      // The outbox too is behind the reference API's OIDC check: read it with a token that passes.
      const withScope = await keycloakToken(e2e, 'issuer', 'sms-bridge', SEND_SCOPE);
      assert.match(await outboxReader(reference.url ?? '', withScope).codeSentTo(phone), /^\d{6}$/);

      const stranger = await send(await keycloakToken(e2e, 'issuer', 'stranger'), testPhone(91));
      assert.equal(stranger.status, 401, 'a client of the realm with no application');
      const elsewhere = await send(await keycloakToken(e2e, 'elsewhere', 'shop'), testPhone(92));
      assert.equal(elsewhere.status, 401, 'the same client id in another realm');

      const message = { to: testPhone(93), code: '123456' };
      assert.equal((await post(`${reference.url}/v1/messages`, withScope, message)).status, 202);
      const withoutScope = await keycloakToken(e2e, 'issuer', 'shop');
      const refused = await post(`${reference.url}/v1/messages`, withoutScope, message);
      assert.equal(refused.status, 403, 'no messages:send scope');
      const foreign = await keycloakToken(e2e, 'elsewhere', 'shop');
      assert.equal((await post(`${reference.url}/v1/messages`, foreign, message)).status, 401);
    } finally {
      await bridge.close();
      await reference.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
}
