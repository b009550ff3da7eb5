import type { ErrorRequestHandler, Response } from 'express';
import { OAuthError } from '../issuer/client-credentials.js';
import { classifyError } from './classify-error.js';

/**
 * The OAuth renderer, for the token endpoint at Keycloak's paths: its refusals, the requests it
 * cannot read and Redis being unavailable as RFC 6749 §5.2 answers. Anything else (a bug) goes on
 * to the CIAM error handler, which logs it.
 */
export function oauthErrorHandler(realm: string): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (err instanceof OAuthError) {
      if (err.retryAfterSeconds) {
        res.setHeader('Retry-After', String(err.retryAfterSeconds));
      }
      if (err.status === 401 && req.get('authorization')?.match(/^Basic /i)) {
        res.setHeader('WWW-Authenticate', `Basic realm="${realm}"`);
      }
      return sendOAuthError(res, err.status, err.code, err.description);
    }
    const { error, unreadable } = classifyError(err, req);
    // RFC 6749 §5.2 has one error for a request the server cannot read, a 415 included.
    if (unreadable === 'request') {
      return sendOAuthError(res, 400, 'invalid_request', error.message);
    }
    if (unreadable === 'too-large') {
      return sendOAuthError(res, 413, 'invalid_request', 'The request is too large');
    }
    if (unreadable === 'body') {
      return sendOAuthError(res, 400, 'invalid_request', 'The request body cannot be read');
    }
    // RFC 6749 §5.2 has no code for these; Keycloak, and OAuth clients, use these two.
    for (const [name, value] of Object.entries(error.headers)) {
      res.setHeader(name, value);
    }
    if (error.code === 'UNAVAILABLE') {
      return sendOAuthError(res, 503, 'temporarily_unavailable', 'Try again later');
    }
    next(err);
  };
}

/** `{error, error_description}`, never cached. */
export function sendOAuthError(
  res: Response,
  status: number,
  error: string,
  description: string,
): void {
  res.setHeader('Cache-Control', 'no-store').setHeader('Pragma', 'no-cache');
  res.status(status).json({ error, error_description: description });
}
