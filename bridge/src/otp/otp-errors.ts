import { CiamError } from '../errors.js';
import { rateLimited } from '../ratelimit/rate-limits.js';
import type { Refusal } from './code-store.js';

/** 404 AUTH_NOT_FOUND: unknown, canceled, or another application's authId (indistinguishable on purpose). */
export function authNotFound(): CiamError {
  return new CiamError('AUTH_NOT_FOUND', 'No authentication found for this authId');
}

/** 403 MAX_ATTEMPTS_REACHED. */
export function maxAttemptsReached(): CiamError {
  return new CiamError(
    'MAX_ATTEMPTS_REACHED',
    'Too many unsuccessful attempts; request a new code',
    { attemptsRemaining: 0 },
  );
}

/** 429 for a user inside a growing wait after repeated failures. */
export function userMustWait(retryAfterMs: number): CiamError {
  return rateLimited(retryAfterMs, 'Too many unsuccessful attempts; try again later');
}

/** The error for an operation the record's state refuses. */
export function refusalError(refusal: Refusal): CiamError {
  switch (refusal.kind) {
    case 'not_found':
      return authNotFound();
    case 'already_validated':
      return new CiamError('ALREADY_VALIDATED', 'The OTP has already been validated');
    case 'locked':
      return maxAttemptsReached();
    case 'expired':
      return new CiamError('OTP_EXPIRED', 'The OTP has expired; request a new code');
    case 'user_wait':
      return userMustWait(refusal.retryAfterMs);
  }
}
