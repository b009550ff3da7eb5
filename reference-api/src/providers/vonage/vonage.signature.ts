import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** The `sig` methods a Vonage account can choose in its API settings (md5hash is the default). */
export type SigMethod = 'md5hash' | 'md5hmac' | 'sha1hmac' | 'sha256hmac' | 'sha512hmac';

const HMAC_ALGORITHMS: Record<Exclude<SigMethod, 'md5hash'>, string> = {
  md5hmac: 'md5',
  sha1hmac: 'sha1',
  sha256hmac: 'sha256',
  sha512hmac: 'sha512',
};

/**
 * The string Vonage signs (SMS.verifySignature in @vonage/sms): every parameter but `sig`, keys sorted,
 * as `&k=v`, with `&` and `=` inside values replaced by `_`.
 */
export function signedString(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .filter((key) => key !== 'sig')
    .sort()
    .map((key) => `&${key}=${params[key]!.replace(/[&=]/g, '_')}`)
    .join('');
}

/** The hex `sig` of `params` by `method`: md5hash appends the secret; the others are HMACs keyed by it. */
export function computeSig(
  params: Readonly<Record<string, string>>,
  secret: string,
  method: SigMethod,
): string {
  const data = signedString(params);
  if (method === 'md5hash') {
    return createHash('md5')
      .update(data + secret)
      .digest('hex');
  }
  return createHmac(HMAC_ALGORITHMS[method], secret).update(data).digest('hex');
}

/**
 * The methods a signature of this length could come from. The account's choice is not in our config,
 * so the digest length picks it; a 32-digit one may be md5hash or md5hmac, both keyed by the secret.
 */
export function candidateMethods(sig: string): SigMethod[] {
  switch (sig.length) {
    case 32:
      return ['md5hash', 'md5hmac'];
    case 40:
      return ['sha1hmac'];
    case 64:
      return ['sha256hmac'];
    case 128:
      return ['sha512hmac'];
    default:
      return [];
  }
}

/** Whether `sig` signs `params` with `secret` by any method its length allows; compared in constant time. */
export function verifySig(
  params: Readonly<Record<string, string>>,
  sig: string,
  secret: string,
): boolean {
  if (!/^[0-9a-fA-F]+$/.test(sig)) {
    return false;
  }
  return candidateMethods(sig).some((method) => hexEquals(computeSig(params, secret, method), sig));
}

/** Compares two hex digests of equal length case-insensitively, in constant time. */
export function hexEquals(expected: string, actual: string): boolean {
  const a = Buffer.from(expected.toLowerCase(), 'utf8');
  const b = Buffer.from(actual.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The claims of a Vonage signed webhook (Messages API) that we check. */
export interface WebhookClaims {
  readonly iat?: number;
  readonly exp?: number;
  readonly payload_hash?: string;
  readonly api_key?: string;
}

/**
 * Verifies an HS256 JWT signed with the signature secret and returns its claims, or undefined when the
 * header is not HS256 or the signature does not match (no other algorithm is ever accepted).
 */
export function verifyHs256(token: string, secret: string): WebhookClaims | undefined {
  const [header, payload, signature, ...rest] = token.split('.');
  if (!header || !payload || !signature || rest.length) {
    return undefined;
  }
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return undefined;
  }
  const head = parseJson(header) as { alg?: unknown } | undefined;
  if (head?.alg !== 'HS256') {
    return undefined;
  }
  const claims = parseJson(payload);
  return claims && typeof claims === 'object' ? (claims as WebhookClaims) : undefined;
}

function parseJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The hex SHA-256 of a webhook body, as Vonage puts it in `payload_hash`. */
export function payloadHash(rawBody: Buffer): string {
  return createHash('sha256').update(rawBody).digest('hex');
}
