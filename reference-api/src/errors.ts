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

/** The reference API's error: a catalogue code, an HTTP status, and optional field details. */
export class ApiError extends AppError<ApiErrorCode> {
  override readonly name = 'ApiError';
}

/** 400 INVALID_REQUEST naming each field that is wrong. */
export function invalidRequest(details: FieldIssue[]): ApiError {
  const fields = [...new Set(details.map((d) => d.field))].join(', ');
  return new ApiError('INVALID_REQUEST', 400, `invalid request: ${fields}`, { details });
}

/** 400 INVALID_PHONE_NUMBER for the named field. */
export function invalidPhone(field: string, message: string): ApiError {
  return new ApiError('INVALID_PHONE_NUMBER', 400, `${field}: ${message}`, {
    details: [{ field, message }],
  });
}

/** 404 for an unknown id or route. */
export function notFound(what: string): ApiError {
  return new ApiError('NOT_FOUND', 404, `${what} not found`);
}

/** 401 with the challenge a client needs. */
export function unauthorized(message = 'authentication required'): ApiError {
  return new ApiError(
    'UNAUTHORIZED',
    401,
    message,
    {},
    { 'WWW-Authenticate': 'Bearer realm="sms-mfa-reference-api"' },
  );
}
