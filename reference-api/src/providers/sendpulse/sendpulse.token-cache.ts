import { tokenUseSeconds } from '@sms-mfa/common/token-lifetime';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import { TransientProviderError } from '../provider-errors.js';
import { providerFetch } from '../provider-http.js';
import { classifySendPulseError, SENDPULSE } from './sendpulse.errors.js';

/** What the token cache needs: the OAuth client, where to share tokens, and how long to wait. */
export interface SendPulseTokenOptions {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redis: RedisClient;
  /** The RedisClient key shared by every worker, e.g. `{smsmfa}:sendpulse:token`. */
  readonly key: string;
  readonly timeoutMs: number;
  readonly now?: () => number;
}

interface SharedToken {
  /** The client the token belongs to, so that rotated credentials never reuse an old account's token. */
  readonly clientId: string;
  readonly accessToken: string;
  /** Epoch ms after which the token is no longer used (a little before SendPulse expires it). */
  readonly expiresAt: number;
}

/** The RedisClient key under which workers share the SendPulse access token. */
export function sendPulseTokenKey(prefix: string): string {
  return `${prefix}:sendpulse:token`;
}

/**
 * SendPulse OAuth client-credentials tokens, kept in memory and shared through RedisClient so that a
 * fleet of workers asks for one token an hour, not one each.
 */
export class SendPulseTokenCache {
  private memory: SharedToken | undefined;
  private pending: Promise<SharedToken> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: SendPulseTokenOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A token believed valid: from memory, else from RedisClient, else a new one. */
  async current(): Promise<string> {
    if (this.memory && this.isFresh(this.memory)) {
      return this.memory.accessToken;
    }
    const shared = await this.readShared();
    if (shared) {
      return this.remember(shared);
    }
    return this.remember(await this.fetchOnce());
  }

  /** After SendPulse refused `rejected` with a 401: the token another worker already renewed, else a new one. */
  async refresh(rejected: string): Promise<string> {
    this.memory = undefined;
    const shared = await this.readShared();
    if (shared && shared.accessToken !== rejected) {
      return this.remember(shared);
    }
    return this.remember(await this.fetchOnce());
  }

  private remember(token: SharedToken): string {
    this.memory = token;
    return token.accessToken;
  }

  private isFresh(token: SharedToken): boolean {
    return token.clientId === this.options.clientId && token.expiresAt > this.now();
  }

  private async readShared(): Promise<SharedToken | undefined> {
    const raw = await this.options.redis.get(this.options.key);
    if (!raw) {
      return undefined;
    }
    try {
      const token = JSON.parse(raw) as SharedToken;
      return typeof token.accessToken === 'string' && this.isFresh(token) ? token : undefined;
    } catch {
      return undefined; // unreadable: overwritten by the next fetch
    }
  }

  // Concurrent sends in one process share a single token request.
  private fetchOnce(): Promise<SharedToken> {
    this.pending ??= this.fetchAndShare().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async fetchAndShare(): Promise<SharedToken> {
    const { accessToken, expiresInSeconds } = await requestToken(this.options);
    const ttlSeconds = tokenUseSeconds(expiresInSeconds);
    const token: SharedToken = {
      clientId: this.options.clientId,
      accessToken,
      expiresAt: this.now() + ttlSeconds * 1000,
    };
    await this.options.redis.set(this.options.key, JSON.stringify(token), 'EX', ttlSeconds);
    return token;
  }
}

async function requestToken(
  options: SendPulseTokenOptions,
): Promise<{ accessToken: string; expiresInSeconds: number }> {
  const body = {
    grant_type: 'client_credentials',
    client_id: options.clientId,
    client_secret: options.clientSecret,
  };
  const res = await providerFetch(
    SENDPULSE,
    joinUrl(options.baseUrl, 'oauth/access_token'),
    { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) },
    { timeoutMs: options.timeoutMs },
  );
  if (res.status < 200 || res.status >= 300) {
    throw classifySendPulseError(res, 'token request');
  }
  const answer = (res.body ?? {}) as { access_token?: unknown; expires_in?: unknown };
  const { access_token: accessToken, expires_in: expiresIn } = answer;
  if (
    typeof accessToken !== 'string' ||
    !accessToken ||
    typeof expiresIn !== 'number' ||
    expiresIn <= 0
  ) {
    throw new TransientProviderError(
      SENDPULSE,
      'token request answered without access_token or expires_in',
    );
  }
  return { accessToken, expiresInSeconds: expiresIn };
}

/** JSON in, JSON out: the headers of every SendPulse call. */
export const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json' };

/** `base` (with or without a trailing slash, possibly with a path) joined with `path`. */
export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path}`;
}
