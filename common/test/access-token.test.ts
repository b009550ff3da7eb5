import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateKeyPair, SignJWT, type CryptoKey, type JWTVerifyGetKey } from 'jose';
import {
  TokenRejectedError,
  verifiedTokenCache,
  verifyAccessToken,
  type TokenVerifierOptions,
} from '../src/access-token.js';

const ISSUER = 'https://id.example.test/realms/mfa';

describe('access tokens checked through a verified-token cache', () => {
  let privateKey: CryptoKey;
  let publicKey: CryptoKey;
  before(async () => ({ privateKey, publicKey } = await generateKeyPair('RS256')));

  const sign = (expiresInSeconds: number, scope = 'mfa:send') =>
    new SignJWT({ scope, azp: 'shop-web' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(ISSUER)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + expiresInSeconds)
      .sign(privateKey);

  /** Options whose key lookups are counted: one lookup per signature actually checked. */
  const counted = () => {
    const calls = { count: 0 };
    const keys: JWTVerifyGetKey = async () => (calls.count++, publicKey);
    const options: TokenVerifierOptions = {
      issuer: ISSUER,
      keys,
      clockToleranceSeconds: 0,
      cache: verifiedTokenCache(),
    };
    return { calls, options };
  };

  it("checks a client's token signature once, then accepts it from the cache with the same claims", async () => {
    const { calls, options } = counted();
    const token = await sign(300);
    for (let i = 0; i < 5; i++) {
      const verified = await verifyAccessToken(token, options, 'mfa:send');
      assert.equal(verified.clientId, 'shop-web');
    }
    assert.equal(calls.count, 1);
    await verifyAccessToken(await sign(300, 'mfa:send mfa:verify'), options);
    assert.equal(calls.count, 2, 'another token is checked on its own');
  });

  it('still refuses a cached token a scope it does not carry', async () => {
    const { options } = counted();
    const token = await sign(300);
    await verifyAccessToken(token, options, 'mfa:send');
    await assert.rejects(
      verifyAccessToken(token, options, 'mfa:admin'),
      (err: unknown) => err instanceof TokenRejectedError && err.reason === 'insufficient_scope',
    );
  });

  it('stops accepting a cached token once it expires', async () => {
    const { options } = counted();
    // exp is whole seconds: 2 s ahead leaves at least 1 s for the first check, and 2.1 s later it has passed
    const token = await sign(2);
    await verifyAccessToken(token, options);
    await sleep(2100);
    await assert.rejects(
      verifyAccessToken(token, options),
      (err: unknown) => err instanceof TokenRejectedError && err.reason === 'expired',
    );
  });

  it('never caches a token that failed: a tampered copy is refused every time', async () => {
    const { calls, options } = counted();
    const [header, payload] = (await sign(300)).split('.');
    const forged = `${header}.${payload}.${'A'.repeat(342)}`;
    for (let i = 0; i < 3; i++) {
      await assert.rejects(verifyAccessToken(forged, options), TokenRejectedError);
    }
    assert.equal(calls.count, 3);
  });
});
