import type { Request } from 'express';
import { AppError } from '@sms-mfa/common/app-error';
import { RedisUnavailableError } from '@sms-mfa/common/redis-unavailable';
import { requestFault } from '@sms-mfa/common/request-fault';
import { CiamError } from '../errors.js';
import { OAuthError } from '../issuer/client-credentials.js';
import { rateLimited } from '../ratelimit/rate-limits.js';

/**
 * How a request could not be read, through the client's fault: `request` (a path that does not
 * percent-decode, a body not in its Content-Encoding or in one nobody decodes), `too-large`, or
 * `body` (a body that does not parse). The OAuth and page renderers answer these in their own words.
 */
export type Unreadable = 'request' | 'too-large' | 'body';

/** A thrown error, classified: the catalogue error the CIAM shape shows, and how the request was unreadable, if it was. */
export interface Failure {
  readonly error: AppError;
  readonly unreadable?: Unreadable | undefined;
}

/**
 * The bridge's one classification of whatever a route threw, for every renderer (CIAM JSON,
 * OAuth, HTML page): an error of the catalogue, INTERNAL when nothing else fits.
 */
export function classifyError(err: unknown, req: Request): Failure {
  if (err instanceof AppError) {
    return { error: err };
  }
  if (err instanceof OAuthError) {
    return { error: oauthAsCiam(err, req) };
  }
  const fault = requestFault(err, req);
  if (fault) {
    const code = fault.status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'INVALID_REQUEST';
    const error = new CiamError(code, fault.message, { details: [fault.issue] });
    return { error, unreadable: 'request' };
  }
  return bodyFailure(err) ?? { error: unavailableOrInternal(err) };
}

/** body-parser's refusals, told apart by the `type` it gives them. */
function bodyFailure(err: unknown): Failure | undefined {
  switch ((err as { type?: unknown } | null | undefined)?.type) {
    case 'entity.too.large':
      return {
        error: new CiamError('PAYLOAD_TOO_LARGE', 'the request body is too large'),
        unreadable: 'too-large',
      };
    case 'entity.parse.failed':
      return {
        error: new CiamError('INVALID_REQUEST', 'the body is not valid JSON', {
          details: [{ field: 'body', message: 'is not valid JSON' }],
        }),
        unreadable: 'body',
      };
    case 'charset.unsupported':
      return {
        error: new CiamError('UNSUPPORTED_MEDIA_TYPE', 'the body must be UTF-8'),
        unreadable: 'body',
      };
    case 'parameters.too.many':
      return {
        error: new CiamError('INVALID_REQUEST', 'the form has too many fields', {
          details: [{ field: 'body', message: 'has too many fields' }],
        }),
        unreadable: 'body',
      };
    default:
      return undefined;
  }
}

function unavailableOrInternal(err: unknown): CiamError {
  if (RedisUnavailableError.from(err)) {
    return new CiamError(
      'UNAVAILABLE',
      'the service is unavailable; nothing was changed',
      {},
      { 'Retry-After': '5' },
    );
  }
  return internal(err);
}

/** INTERNAL: its message is logged, never shown. */
function internal(err: unknown): CiamError {
  return new CiamError('INTERNAL', (err as Error | undefined)?.message ?? 'internal error');
}

/** A refused token request at the CIAM token path, as a CIAM failure. */
function oauthAsCiam(err: OAuthError, req: Request): CiamError {
  if (err.code === 'temporarily_unavailable') {
    return rateLimited((err.retryAfterSeconds ?? 1) * 1000, err.description);
  }
  if (err.code === 'invalid_client') {
    const headers: Record<string, string> = req.get('authorization')?.match(/^Basic /i)
      ? { 'WWW-Authenticate': 'Basic realm="ciam-mfa"' }
      : {};
    return new CiamError(
      'UNAUTHORIZED',
      'Invalid client or Invalid client credentials',
      {},
      headers,
    );
  }
  const field =
    err.code === 'unsupported_grant_type' || /grant_type/.test(err.description)
      ? 'grant_type'
      : err.code === 'invalid_scope'
        ? 'scope'
        : 'body';
  const formOnly = field === 'body' ? { errorCode: 10028 } : {};
  return new CiamError('INVALID_REQUEST', err.description, {
    ...formOnly,
    details: [{ field, message: err.description }],
  });
}
