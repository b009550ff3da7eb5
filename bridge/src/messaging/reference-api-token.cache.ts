import { httpCall, HttpCallError, type HttpAnswer } from '@sms-mfa/common/http-client';
import { tokenUseSeconds } from '@sms-mfa/common/token-lifetime';

/** The scope the reference API requires of a token (reference-api/src/http/auth.middleware.ts). */
export const REFERENCE_API_SCOPE = 'messages:send';

/** The bridge's client at the issuer the reference API trusts. */
export interface ReferenceApiClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  /** The token endpoint; when absent, `issuerUrl`'s discovery document names it. */
  readonly tokenUrl: string | undefined;
  readonly issuerUrl: string | undefined;
}

/** Why no token could be had. The reason names no secret and no token: it goes to the log as it is. */
export class TokenUnavailableError extends Error {
  override readonly name = 'TokenUnavailableError';
  constructor(readonly reason: string) {
    super(reason);
  }
}

interface CachedToken {
  readonly value: string;
  /** Epoch ms after which it is not used any more (a little before the issuer expires it). */
  readonly renewAtMs: number;
}

/**
 * Client-credentials access tokens for calling the reference API (scope messages:send): one kept
 * in memory until shortly before it expires, one token request shared by every concurrent send,
 * and the token endpoint discovered once from the issuer when not configured.
 */
export class ReferenceApiTokenCache {
  private token: CachedToken | undefined;
  private pending: Promise<string> | undefined;
  private endpoint: Promise<string> | undefined;

  constructor(
    private readonly client: ReferenceApiClientCredentials,
    private readonly timeoutMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** A token believed valid; throws TokenUnavailableError when none can be had. */
  current(): Promise<string> {
    const token = this.token;
    if (token && token.renewAtMs > this.now()) {
      return Promise.resolve(token.value);
    }
    return this.fetchOnce();
  }

  /** After the reference API refused `rejected`: the token another send already renewed, else a new one. */
  refresh(rejected: string): Promise<string> {
    if (this.token?.value === rejected) {
      this.token = undefined;
    }
    return this.current();
  }

  private fetchOnce(): Promise<string> {
    this.pending ??= this.fetchToken().finally(() => (this.pending = undefined));
    return this.pending;
  }

  private async fetchToken(): Promise<string> {
    const url = await this.tokenEndpoint();
    const answer = await call(url, 'the token endpoint', {
      method: 'POST',
      headers: { authorization: basicAuth(this.client), accept: 'application/json' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: REFERENCE_API_SCOPE }),
      timeoutMs: this.timeoutMs,
    });
    const { accessToken, expiresInSeconds } = tokenAnswer(answer);
    this.token = {
      value: accessToken,
      renewAtMs: this.now() + tokenUseSeconds(expiresInSeconds) * 1000,
    };
    return accessToken;
  }

  private tokenEndpoint(): Promise<string> {
    if (this.client.tokenUrl) {
      return Promise.resolve(this.client.tokenUrl);
    }
    const issuer = this.client.issuerUrl;
    if (!issuer) {
      throw new TypeError('ReferenceApiTokenCache: a tokenUrl or an issuerUrl is needed');
    }
    // A failed discovery is not kept: the next send tries again.
    this.endpoint ??= discoverTokenEndpoint(issuer, this.timeoutMs).catch((err: unknown) => {
      this.endpoint = undefined;
      throw err;
    });
    return this.endpoint;
  }
}

/** `Basic base64(urlencode(id) ":" urlencode(secret))`, RFC 6749 §2.3.1, as Keycloak decodes it. */
function basicAuth(client: ReferenceApiClientCredentials): string {
  const pair = `${encodeURIComponent(client.clientId)}:${encodeURIComponent(client.clientSecret)}`;
  return `Basic ${Buffer.from(pair).toString('base64')}`;
}

async function discoverTokenEndpoint(issuerUrl: string, timeoutMs: number): Promise<string> {
  const url = `${issuerUrl}/.well-known/openid-configuration`;
  const answer = await call(url, 'issuer discovery', {
    headers: { accept: 'application/json' },
    timeoutMs,
  });
  if (answer.status !== 200) {
    throw new TokenUnavailableError(`issuer discovery at ${url} answered HTTP ${answer.status}`);
  }
  const endpoint = parseObject(answer.text)['token_endpoint'];
  if (typeof endpoint !== 'string' || !/^https?:\/\//.test(endpoint)) {
    throw new TokenUnavailableError(`issuer discovery at ${url} names no token_endpoint`);
  }
  return endpoint;
}

async function call(
  url: string,
  what: string,
  request: Parameters<typeof httpCall>[1],
): Promise<HttpAnswer> {
  try {
    return await httpCall(url, request);
  } catch (err) {
    if (!(err instanceof HttpCallError)) {
      throw err;
    }
    throw new TokenUnavailableError(`${what} at ${url} is unreachable (${err.reason})`);
  }
}

function tokenAnswer(answer: HttpAnswer): { accessToken: string; expiresInSeconds: number } {
  const body = parseObject(answer.text);
  if (answer.status !== 200) {
    // RFC 6749 §5.2's error code says what is wrong (invalid_client, invalid_scope...); nothing else is logged.
    const code = typeof body['error'] === 'string' ? /^[a-z_]{1,40}$/.exec(body['error']) : null;
    throw new TokenUnavailableError(
      `the token endpoint answered HTTP ${answer.status}${code ? ` (${code[0]})` : ''}`,
    );
  }
  const accessToken = body['access_token'];
  if (typeof accessToken !== 'string' || !accessToken) {
    throw new TokenUnavailableError('the token endpoint answered without an access_token');
  }
  const expiresIn = body['expires_in'];
  // expires_in is only RECOMMENDED (RFC 6749 §5.1); without it, a minute.
  const expiresInSeconds = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : 60;
  return { accessToken, expiresInSeconds };
}

function parseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
