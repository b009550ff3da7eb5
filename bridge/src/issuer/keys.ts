import { duplicateClient, type RedisClient } from '@sms-mfa/common/redis-client';
import {
  calculateJwkThumbprint,
  errors as joseErrors,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import { openJwk, sealJwk, sealingKey } from './sealed-jwk.js';

/** The only algorithm the embedded issuer signs with. */
export const SIGNING_ALG = 'RS256';
/** Cached verification keys are re-read after this long, so a revocation reaches every instance. */
const PUBLIC_CACHE_MS = 60_000;

/** One signing key as RedisClient holds it: the public JWK in clear, the private JWK sealed with the server secret. */
interface StoredKey {
  readonly kid: string;
  readonly publicJwk: JWK;
  readonly sealedPrivate: string;
  readonly createdAt: number;
  /** Set when the key is retired: it stays in the JWKS (and verifies) until then, epoch ms. */
  readonly publishUntil?: number;
}

/** Seconds a retired key stays published: a token's lifetime plus clock skew, with margin. */
export function retiredKeyGraceSeconds(tokenTtlSeconds: number): number {
  return tokenTtlSeconds + 60;
}

/** The key new tokens are signed with. */
export interface ActiveSigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
}

interface CachedPublic {
  readonly key: CryptoKey;
  readonly publishUntil: number | undefined;
  readonly loadedAt: number;
}

/**
 * The embedded issuer's RS256 keys, kept in RedisClient under the key prefix so every instance signs
 * with the same key and a rotation (from the CLI, another process) reaches them all.
 */
export class SigningKeys {
  private readonly hash: string;
  private readonly currentKid: string;
  private readonly sealKey: Buffer;
  private readonly privateCache = new Map<string, CryptoKey>();
  private readonly publicCache = new Map<string, CachedPublic>();

  constructor(
    private readonly redis: RedisClient,
    prefix: string,
    serverSecret: Buffer,
    private readonly now: () => number = Date.now,
  ) {
    this.hash = `${prefix}:issuer:keys`;
    this.currentKid = `${prefix}:issuer:current`;
    this.sealKey = sealingKey(serverSecret);
  }

  /** Creates the first key unless one exists (safe when instances start together), and checks it opens. */
  async ensure(): Promise<string> {
    if (!(await this.redis.get(this.currentKid))) {
      const key = await this.generate();
      await this.redis.hset(this.hash, key.kid, JSON.stringify(key));
      const won = await this.redis.set(this.currentKid, key.kid, 'NX');
      if (!won) {
        await this.redis.hdel(this.hash, key.kid);
      }
    }
    return (await this.signingKey()).kid;
  }

  /** The current key; one GET per call so a rotation elsewhere takes effect at once. */
  async signingKey(): Promise<ActiveSigningKey> {
    const kid = await this.redis.get(this.currentKid);
    if (!kid) {
      throw new Error('no signing key: call ensure() at start-up');
    }
    const cached = this.privateCache.get(kid);
    if (cached) {
      return { kid, privateKey: cached };
    }
    const stored = await this.read(kid);
    if (!stored) {
      throw new Error(`signing key ${kid} is missing from Redis`);
    }
    const privateKey = (await importJWK(
      openJwk(this.sealKey, kid, stored.sealedPrivate),
      SIGNING_ALG,
    )) as CryptoKey;
    this.privateCache.set(kid, privateKey);
    return { kid, privateKey };
  }

  /** Public keys still published: the current one first, then retired ones whose tokens may live. */
  async jwks(): Promise<{ keys: JWK[] }> {
    const [current, all] = await Promise.all([
      this.redis.get(this.currentKid),
      this.redis.hvals(this.hash),
    ]);
    const live = all.map((v) => JSON.parse(v) as StoredKey).filter((k) => this.published(k));
    live.sort(
      (a, b) => Number(b.kid === current) - Number(a.kid === current) || b.createdAt - a.createdAt,
    );
    return { keys: live.map((k) => k.publicJwk) };
  }

  /**
   * Makes a new key current. The old one stays published (and verifies) for `graceSeconds`,
   * which should cover a token's lifetime plus clock skew; 0 revokes it.
   */
  async rotate(graceSeconds: number): Promise<{ kid: string; previousKid: string | undefined }> {
    const fresh = await this.generate();
    for (let attempt = 0; attempt < 5; attempt++) {
      const previousKid = await this.swap(fresh, graceSeconds);
      if (previousKid !== null) {
        this.publicCache.clear();
        return { kid: fresh.kid, previousKid };
      }
    }
    throw new Error('key rotation kept racing with another rotation; try again');
  }

  /** jose key resolver for tokens of this issuer: by `kid`, RS256 only, published keys only. */
  readonly getKey: JWTVerifyGetKey = async (header) => {
    if (header.alg !== SIGNING_ALG || typeof header.kid !== 'string' || header.kid.length > 128) {
      throw new joseErrors.JWKSNoMatchingKey();
    }
    let entry = this.publicCache.get(header.kid);
    if (!entry || this.now() - entry.loadedAt > PUBLIC_CACHE_MS) {
      entry = await this.loadPublic(header.kid);
    }
    if (!entry || (entry.publishUntil !== undefined && entry.publishUntil <= this.now())) {
      throw new joseErrors.JWKSNoMatchingKey();
    }
    return entry.key;
  };

  /** WATCHed swap on its own connection (WATCH is per connection): the previous kid, or null when another writer raced us. */
  private async swap(fresh: StoredKey, graceSeconds: number): Promise<string | undefined | null> {
    const conn = duplicateClient(this.redis, { enableOfflineQueue: true });
    try {
      await conn.watch(this.currentKid, this.hash);
      const previousKid = (await conn.get(this.currentKid)) ?? undefined;
      const all = (await conn.hvals(this.hash)).map((v) => JSON.parse(v) as StoredKey);
      const tx = conn.multi().hset(this.hash, fresh.kid, JSON.stringify(fresh));
      for (const key of all) {
        if (key.kid === previousKid) {
          tx.hset(
            this.hash,
            key.kid,
            JSON.stringify({ ...key, publishUntil: this.now() + graceSeconds * 1000 }),
          );
        } else if (!this.published(key)) {
          tx.hdel(this.hash, key.kid);
        }
      }
      const result = await tx.set(this.currentKid, fresh.kid).exec();
      return result === null ? null : previousKid;
    } finally {
      conn.disconnect();
    }
  }

  private published(key: StoredKey): boolean {
    return key.publishUntil === undefined || key.publishUntil > this.now();
  }

  private async read(kid: string): Promise<StoredKey | undefined> {
    const raw = await this.redis.hget(this.hash, kid);
    return raw ? (JSON.parse(raw) as StoredKey) : undefined;
  }

  private async loadPublic(kid: string): Promise<CachedPublic | undefined> {
    const stored = await this.read(kid);
    if (!stored) {
      this.publicCache.delete(kid);
      return undefined;
    }
    const entry = {
      key: (await importJWK(stored.publicJwk, SIGNING_ALG)) as CryptoKey,
      publishUntil: stored.publishUntil,
      loadedAt: this.now(),
    };
    this.publicCache.set(kid, entry);
    return entry;
  }

  private async generate(): Promise<StoredKey> {
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, {
      modulusLength: 2048,
      extractable: true,
    });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const sealedPrivate = sealJwk(this.sealKey, kid, await exportJWK(privateKey));
    return {
      kid,
      publicJwk: { ...publicJwk, kid, alg: SIGNING_ALG, use: 'sig' },
      sealedPrivate,
      createdAt: this.now(),
    };
  }
}
