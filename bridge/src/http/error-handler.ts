import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { AppError } from '@sms-mfa/common/app-error';
import type { Logger } from '@sms-mfa/common/logger';
import { currentRequestId } from '@sms-mfa/common/request-context';
import { requestFault } from '@sms-mfa/common/request-fault';
import { CATALOGUE, CiamError, type CiamErrorCode } from '../errors.js';

interface BodyParserError extends Error {
  type?: string;
}

const REDIS_DOWN =
  /Connection is closed|Stream isn't writeable|ECONNREFUSED|MaxRetriesPerRequest|enableOfflineQueue/;

/**
 * The one place errors become responses, in the CIAM failure shape:
 * `{status:"FAILURE", code, message, errorCode?, traceId, timestamp, ...extra}`.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const error = toCiamError(err as BodyParserError, req);
    if (error.status >= 500) {
      logger.error('request failed', { errorCode: error.code, error: (err as Error).message });
    }
    for (const [name, value] of Object.entries(error.headers)) {
      res.setHeader(name, value);
    }
    const errorCode = CATALOGUE[error.code as CiamErrorCode]?.errorCode;
    res.status(error.status).json({
      status: 'FAILURE',
      code: error.code,
      message: error.expose
        ? error.message
        : 'An unexpected internal server error occurred. Try again later',
      ...(errorCode !== undefined ? { errorCode } : {}),
      ...error.extra,
      traceId: currentRequestId(),
      timestamp: new Date().toISOString(),
    });
  };
}

function toCiamError(err: BodyParserError, req: Request): AppError {
  if (err instanceof AppError) {
    return err;
  }
  const fault = requestFault(err, req);
  if (fault) {
    return new CiamError(
      fault.status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'INVALID_REQUEST',
      fault.message,
      { details: [fault.issue] },
    );
  }
  if (err.type === 'entity.too.large') {
    return new CiamError('PAYLOAD_TOO_LARGE', 'the request body is too large');
  }
  if (err.type === 'entity.parse.failed') {
    return new CiamError('INVALID_REQUEST', 'the body is not valid JSON', {
      details: [{ field: 'body', message: 'is not valid JSON' }],
    });
  }
  if (err.type === 'charset.unsupported') {
    return new CiamError('UNSUPPORTED_MEDIA_TYPE', 'the body must be UTF-8');
  }
  if (REDIS_DOWN.test(err.message ?? '')) {
    return new CiamError(
      'UNAVAILABLE',
      'the service is unavailable; nothing was changed',
      {},
      { 'Retry-After': '5' },
    );
  }
  return new CiamError('INTERNAL', err.message ?? 'internal error');
}

/** 404 in the CIAM shape for anything no route took. */
export const notFoundHandler: RequestHandler = (req, _res, next) =>
  next(new CiamError('NOT_FOUND', `no route for ${req.method} ${req.path}`));
