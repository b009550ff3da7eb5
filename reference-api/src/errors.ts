import { AppError, type FieldIssue } from '@sms-mfa/common/app-error';

/** Every error code the reference API answers with. */
export type ApiErrorCode =
  | 'INVALID_REQUEST'
  | 'INVALID_PHONE_NUMBER'
  | 'CHANNEL_NOT_AVAILABLE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

/** The HTTP status of each code (README, "Errors"). */
export const CATALOGUE: Readonly<Record<ApiErrorCode, { status: number }>> = {
  INVALID_REQUEST: { status: 400 },
  INVALID_PHONE_NUMBER: { status: 400 },
  CHANNEL_NOT_AVAILABLE: { status: 400 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415 },
  PAYLOAD_TOO_LARGE: { status: 413 },
  UNAUTHORIZED: { status: 401 },
  FORBIDDEN: { status: 403 },
  NOT_FOUND: { status: 404 },
  IDEMPOTENCY_KEY_REUSED: { status: 422 },
  UNAVAILABLE: { status: 503 },
  INTERNAL: { status: 500 },
};

/**
 * The reference API's error: a catalogue code (which fixes the HTTP status) and a message.
 * `extra` lands in the response body beside the standard fields (`details`); `headers` too
 * (`Retry-After`, `WWW-Authenticate`).
 */
export class ApiError extends AppError<ApiErrorCode> {
  override readonly name = 'ApiError';
  constructor(
    code: ApiErrorCode,
    message: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(code, CATALOGUE[code].status, message, extra, headers);
  }
}

/** 400 INVALID_REQUEST naming each field that is wrong. */
export function invalidRequest(details: FieldIssue[]): ApiError {
  const fields = [...new Set(details.map((d) => d.field))].join(', ');
  return new ApiError('INVALID_REQUEST', `invalid request: ${fields}`, { details });
}

/** 400 INVALID_PHONE_NUMBER for the named field. */
export function invalidPhone(field: string, message: string): ApiError {
  return new ApiError('INVALID_PHONE_NUMBER', `${field}: ${message}`, {
    details: [{ field, message }],
  });
}

/** 404 for an unknown id or route. */
export function notFound(what: string): ApiError {
  return new ApiError('NOT_FOUND', `${what} not found`);
}

/** 401 with the challenge a client needs. */
export function unauthorized(message = 'authentication required'): ApiError {
  return new ApiError(
    'UNAUTHORIZED',
    message,
    {},
    {
      'WWW-Authenticate': 'Bearer realm="sms-mfa-reference-api"',
    },
  );
}

/** 503 UNAVAILABLE while Redis cannot be reached: nothing was queued, try again shortly. */
export function storeUnavailable(): ApiError {
  return new ApiError(
    'UNAVAILABLE',
    'the message store is unavailable; nothing was queued',
    {},
    { 'Retry-After': '5' },
  );
}
