import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { AppError } from '@sms-mfa/common/app-error';
import type { Logger } from '@sms-mfa/common/logger';
import { currentRequestId } from '@sms-mfa/common/request-context';
import { CATALOGUE, CiamError, type CiamErrorCode } from '../errors.js';
import { classifyError } from './classify-error.js';

/**
 * The CIAM renderer, and the app's last error handler: whatever no route answered in its own
 * shape (OAuth, pages), classified once, in the CIAM failure shape.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const { error } = classifyError(err, req);
    if (error.status >= 500) {
      logger.error('request failed', { errorCode: error.code, error: (err as Error).message });
    }
    sendCiamFailure(res, error);
  };
}

/** `{status:"FAILURE", code, message, errorCode?, traceId, timestamp, ...extra}`, with the error's headers. */
function sendCiamFailure(res: Response, error: AppError): void {
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
}

/** 404 in the CIAM shape for anything no route took. */
export const notFoundHandler: RequestHandler = (req, _res, next) =>
  next(new CiamError('NOT_FOUND', `no route for ${req.method} ${req.path}`));
