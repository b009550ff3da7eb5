import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/** A confidential client of the realm, with the client scopes it is granted by default. */
export interface FakeRealmClient {
  readonly secret: string;
  readonly scopes: readonly string[];
  /** `aud` of its tokens; Keycloak puts "account" there, or nothing. */
  readonly audience?: string;
}

/** One token request the realm answered, as the test may check it. */
export interface TokenRequestSeen {
  readonly clientId: string | undefined;
  readonly viaBasic: boolean;
  readonly form: Readonly<Record<string, string>>;
  readonly status: number;
}

interface SigningKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

/** A Keycloak realm as the bridge and the reference API see it over HTTP. */
export interface FakeRealm {
  /** `iss`, e.g. http://127.0.0.1:1234/realms/test: what OIDC_ISSUER_URL names. */
  readonly issuer: string;
  readonly tokenRequests: readonly TokenRequestSeen[];
  /** How many times its discovery document was read. */
  readonly discoveries: number;
  /** Answers the next discovery request with 503, as an issuer restarting does. */
  failNextDiscovery(): void;
  /** Signs later tokens with a new key and stops publishing the old one, once the next token is issued. */
  rotateKeyAfterNextToken(): void;
  close(): Promise<void>;
}

async function newKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const kid = randomUUID();
  return {
    kid,
    privateKey,
    jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' },
  };
}

async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
}

/** Keycloak's client authentication: HTTP Basic (urlencoded id and secret) or the form. */
function clientOf(
  req: IncomingMessage,
  form: Record<string, string>,
): { id?: string; secret?: string; viaBasic: boolean } {
  const basic = /^Basic (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
  if (!basic) {
    return { id: form['client_id'], secret: form['client_secret'], viaBasic: false };
  }
  const [id = '', secret = ''] = Buffer.from(basic, 'base64').toString('utf8').split(':');
  return { id: decodeURIComponent(id), secret: decodeURIComponent(secret), viaBasic: true };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/**
 * An in-process OIDC issuer shaped like a Keycloak realm: discovery, JWKS, and a client-credentials
 * token endpoint issuing RS256 JWTs as Keycloak does (`azp` the client, a space-separated `scope`,
 * `typ: "Bearer"`, `aud` "account" or none). A requested scope the client lacks is `invalid_scope`.
 */
export async function startFakeRealm(
  clients: Readonly<Record<string, FakeRealmClient>>,
  options: { tokenLifetimeSeconds?: number } = {},
): Promise<FakeRealm> {
  let key = await newKey();
  let rotateNext = false;
  const tokenRequests: TokenRequestSeen[] = [];
  const lifetime = options.tokenLifetimeSeconds ?? 300;
  let issuer = '';
  let discoveries = 0;
  let failDiscovery = false;

  const issue = async (clientId: string, client: FakeRealmClient) => {
    const scope = ['profile', 'email', ...client.scopes].join(' ');
    const jwt = new SignJWT({ typ: 'Bearer', azp: clientId, client_id: clientId, scope })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setSubject(randomUUID())
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${lifetime}s`);
    if (client.audience) {
      jwt.setAudience(client.audience);
    }
    const accessToken = await jwt.sign(key.privateKey);
    if (rotateNext) {
      [rotateNext, key] = [false, await newKey()];
    }
    return { access_token: accessToken, expires_in: lifetime, token_type: 'Bearer', scope };
  };

  const token = async (req: IncomingMessage, res: ServerResponse) => {
    const form = await readForm(req);
    const who = clientOf(req, form);
    const client = who.id ? clients[who.id] : undefined;
    const answer = (status: number, body: unknown) => {
      tokenRequests.push({ clientId: who.id, viaBasic: who.viaBasic, form, status });
      json(res, status, body);
    };
    if (!client || client.secret !== who.secret) {
      return answer(401, {
        error: 'invalid_client',
        error_description: 'Invalid client or Invalid client credentials',
      });
    }
    if (form['grant_type'] !== 'client_credentials') {
      return answer(400, { error: 'unsupported_grant_type' });
    }
    const asked = (form['scope'] ?? '').split(' ').filter(Boolean);
    if (asked.some((s) => s !== 'openid' && !client.scopes.includes(s))) {
      return answer(400, { error: 'invalid_scope', error_description: 'Invalid scopes' });
    }
    answer(200, await issue(who.id!, client));
  };

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://realm').pathname;
    if (path === '/realms/test/.well-known/openid-configuration') {
      discoveries++;
      if (failDiscovery) {
        return void ((failDiscovery = false), json(res, 503, {}));
      }
      return json(res, 200, {
        issuer,
        token_endpoint: `${issuer}/protocol/openid-connect/token`,
        jwks_uri: `${issuer}/protocol/openid-connect/certs`,
        grant_types_supported: ['client_credentials'],
      });
    }
    if (path === '/realms/test/protocol/openid-connect/certs') {
      return json(res, 200, { keys: [key.jwk] });
    }
    if (path === '/realms/test/protocol/openid-connect/token' && req.method === 'POST') {
      return void token(req, res).catch(() => json(res, 500, {}));
    }
    json(res, 404, { error: 'not_found' });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/test`;
  return {
    issuer,
    tokenRequests,
    get discoveries() {
      return discoveries;
    },
    failNextDiscovery: () => void (failDiscovery = true),
    rotateKeyAfterNextToken: () => void (rotateNext = true),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
