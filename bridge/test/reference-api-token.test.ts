import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ReferenceApiTokenCache,
  TokenUnavailableError,
  type ReferenceApiClientCredentials,
} from '../src/messaging/reference-api-token.cache.js';
import { tokenUseSeconds } from '@sms-mfa/common/token-lifetime';
import { startFakeRealm, type FakeRealm } from './support/fake-oidc-realm.js';
import { TestClock } from './support/otp-fixtures.js';

const SECRET = 'bridge-client-secret-0123456789';

describe('client-credentials tokens for the reference API', () => {
  let realm: FakeRealm;
  before(async () => {
    realm = await startFakeRealm({
      'sms-bridge': { secret: SECRET, scopes: ['messages:send'], audience: 'account' },
      'no-scope': { secret: SECRET, scopes: [] },
    });
  });
  after(() => realm.close());

  const credentials = (
    overrides: Partial<ReferenceApiClientCredentials> = {},
  ): ReferenceApiClientCredentials => ({
    clientId: 'sms-bridge',
    clientSecret: SECRET,
    tokenUrl: undefined,
    issuerUrl: realm.issuer,
    ...overrides,
  });
  const requestsSince = (start: number) => realm.tokenRequests.slice(start);

  it("finds the token endpoint in the issuer's discovery once, and asks by HTTP Basic for scope messages:send", async () => {
    const clock = new TestClock();
    const tokens = new ReferenceApiTokenCache(credentials(), 2000, clock.now);
    const discoveries = realm.discoveries;
    const start = realm.tokenRequests.length;
    const first = await tokens.current();
    clock.advance(3600_000);
    assert.notEqual(await tokens.current(), first);
    assert.equal(realm.discoveries - discoveries, 1);
    const seen = requestsSince(start);
    assert.equal(seen.length, 2);
    for (const request of seen) {
      assert.equal(request.viaBasic, true);
      assert.deepEqual(request.form, { grant_type: 'client_credentials', scope: 'messages:send' });
      assert.equal(request.status, 200);
    }
  });

  it('uses REFERENCE_API_TOKEN_URL as it is, without discovery', async () => {
    const discoveries = realm.discoveries;
    const tokens = new ReferenceApiTokenCache(
      credentials({
        tokenUrl: `${realm.issuer}/protocol/openid-connect/token`,
        issuerUrl: undefined,
      }),
      2000,
    );
    assert.match(await tokens.current(), /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.equal(realm.discoveries, discoveries);
  });

  it('keeps a token until shortly before expires_in, then fetches a new one', async () => {
    const clock = new TestClock();
    const tokens = new ReferenceApiTokenCache(credentials(), 2000, clock.now);
    const first = await tokens.current();
    const start = realm.tokenRequests.length;
    clock.advance((tokenUseSeconds(300) - 1) * 1000);
    assert.equal(await tokens.current(), first);
    assert.equal(requestsSince(start).length, 0);
    clock.advance(1000);
    assert.notEqual(await tokens.current(), first);
    assert.equal(requestsSince(start).length, 1);
  });

  it('renews a token a little before it expires: a tenth of its life, at most a minute', () => {
    assert.equal(tokenUseSeconds(300), 270);
    assert.equal(tokenUseSeconds(3600), 3540);
    assert.equal(tokenUseSeconds(10), 9);
    assert.equal(tokenUseSeconds(1), 1);
  });

  it('makes one token request for many concurrent callers', async () => {
    const tokens = new ReferenceApiTokenCache(credentials(), 2000);
    const start = realm.tokenRequests.length;
    const all = await Promise.all(Array.from({ length: 20 }, () => tokens.current()));
    assert.equal(new Set(all).size, 1);
    assert.equal(requestsSince(start).length, 1);
  });

  it('fetches a new token for a rejected one, once, and hands a token already renewed to the other senders', async () => {
    const tokens = new ReferenceApiTokenCache(credentials(), 2000);
    const rejected = await tokens.current();
    const start = realm.tokenRequests.length;
    const renewed = await Promise.all([tokens.refresh(rejected), tokens.refresh(rejected)]);
    assert.notEqual(renewed[0], rejected);
    assert.equal(renewed[1], renewed[0]);
    assert.equal(await tokens.refresh(rejected), renewed[0]);
    assert.equal(requestsSince(start).length, 1);
  });

  it('reports a refused client by its OAuth error, never by its secret', async () => {
    const tokens = new ReferenceApiTokenCache(
      credentials({ clientSecret: 'not-the-secret' }),
      2000,
    );
    const err = await tokens.current().then(
      () => assert.fail('a token was issued for a wrong secret'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof TokenUnavailableError);
    assert.equal(err.reason, 'the token endpoint answered HTTP 401 (invalid_client)');
  });

  it('reports a client without the messages:send scope as invalid_scope', async () => {
    const tokens = new ReferenceApiTokenCache(credentials({ clientId: 'no-scope' }), 2000);
    await assert.rejects(tokens.current(), {
      reason: 'the token endpoint answered HTTP 400 (invalid_scope)',
    });
  });

  it('reports an unreachable issuer', async () => {
    const tokens = new ReferenceApiTokenCache(
      credentials({ issuerUrl: 'http://127.0.0.1:1/realms/gone' }),
      2000,
    );
    await assert.rejects(tokens.current(), {
      name: 'TokenUnavailableError',
      reason:
        'issuer discovery at http://127.0.0.1:1/realms/gone/.well-known/openid-configuration is unreachable (network)',
    });
  });

  it('does not keep a failed discovery: the next call asks again', async () => {
    const tokens = new ReferenceApiTokenCache(credentials(), 2000);
    realm.failNextDiscovery();
    await assert.rejects(tokens.current(), { reason: /openid-configuration answered HTTP 503$/ });
    assert.match(await tokens.current(), /^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('reports an issuer URL that has no discovery document', async () => {
    const tokens = new ReferenceApiTokenCache(
      credentials({ issuerUrl: `${realm.issuer}/not-a-realm` }),
      2000,
    );
    await assert.rejects(tokens.current(), { reason: /answered HTTP 404$/ });
  });
});
