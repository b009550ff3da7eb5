import { AppError } from '@sms-mfa/common/app-error';

/** Every failure code of the CIAM MFA API v2 (shared/DESIGN.md, error catalogue). */
export type CiamErrorCode =
  | 'INVALID_REQUEST'
  | 'INVALID_PHONE_NUMBER'
  | 'UNSUPPORTED_DEVICE_TYPE'
  | 'EMAIL_NOT_ALLOWED'
  | 'PREFIX_QUARANTINED'
  | 'TEMPLATE_NOT_FOUND'
  | 'OTP_INVALID'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'MAX_ATTEMPTS_REACHED'
  | 'AUTH_NOT_FOUND'
  | 'ALREADY_VALIDATED'
  | 'OTP_REPLAYED'
  | 'DEVICE_NOT_FOUND'
  | 'DEVICE_NOT_ACTIVE'
  | 'DEVICE_ALREADY_ACTIVE'
  | 'DEVICE_LIMIT_REACHED'
  | 'OTP_EXPIRED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'NOT_FOUND'
  | 'RATE_LIMITED'
  | 'BUDGET_EXCEEDED'
  | 'DELIVERY_UNAVAILABLE'
  | 'UNAVAILABLE'
  | 'INTERNAL';

/** HTTP status and the published API's numeric `errorCode` (where it has one) for each code. */
export const CATALOGUE: Readonly<Record<CiamErrorCode, { status: number; errorCode?: number }>> = {
  INVALID_REQUEST: { status: 400, errorCode: 10005 },
  INVALID_PHONE_NUMBER: { status: 400, errorCode: 100001 },
  UNSUPPORTED_DEVICE_TYPE: { status: 400, errorCode: 10005 },
  EMAIL_NOT_ALLOWED: { status: 403 },
  PREFIX_QUARANTINED: { status: 403 },
  TEMPLATE_NOT_FOUND: { status: 400, errorCode: 10011 },
  OTP_INVALID: { status: 400, errorCode: 10008 },
  UNAUTHORIZED: { status: 401, errorCode: 10002 },
  FORBIDDEN: { status: 403 },
  MAX_ATTEMPTS_REACHED: { status: 403, errorCode: 10026 },
  AUTH_NOT_FOUND: { status: 404, errorCode: 10007 },
  ALREADY_VALIDATED: { status: 409, errorCode: 10007 },
  OTP_REPLAYED: { status: 400, errorCode: 10008 },
  DEVICE_NOT_FOUND: { status: 404 },
  DEVICE_NOT_ACTIVE: { status: 409 },
  DEVICE_ALREADY_ACTIVE: { status: 409 },
  DEVICE_LIMIT_REACHED: { status: 409 },
  OTP_EXPIRED: { status: 410, errorCode: 10007 },
  PAYLOAD_TOO_LARGE: { status: 413 },
  UNSUPPORTED_MEDIA_TYPE: { status: 415 },
  NOT_FOUND: { status: 404 },
  RATE_LIMITED: { status: 429 },
  // The application's daily budget is spent (Retry-After to 00:00 UTC). The published API has no
  // such code, so like RATE_LIMITED it carries no published errorCode.
  BUDGET_EXCEEDED: { status: 429 },
  DELIVERY_UNAVAILABLE: { status: 502 },
  UNAVAILABLE: { status: 503 },
  INTERNAL: { status: 500, errorCode: 10010 },
};

/**
 * A CIAM API failure. `extra` lands in the response body beside the standard fields
 * (e.g. `attemptsRemaining`, `details`); `headers` too (`Retry-After`, `WWW-Authenticate`).
 * Pass `errorCode` in `extra` to override the catalogue's (10001 for an expired token, 10009 for an OTP of the wrong shape).
 */
export class CiamError extends AppError<CiamErrorCode> {
  override readonly name = 'CiamError';
  constructor(
    code: CiamErrorCode,
    message: string,
    extra: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ) {
    super(code, CATALOGUE[code].status, message, extra, headers);
  }
}
