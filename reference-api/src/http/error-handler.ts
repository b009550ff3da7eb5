import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { AppError } from '@sms-mfa/common/app-error';
import type { Logger } from '@sms-mfa/common/logger';
import { currentRequestId } from '@sms-mfa/common/request-context';
import { RedisUnavailableError } from '@sms-mfa/common/redis-unavailable';
import { requestFault } from '@sms-mfa/common/request-fault';
import { ApiError, invalidRequest, notFound, storeUnavailable } from '../errors.js';

/** Body-parser's errors carry a `type` string. */
interface BodyParserError extends Error {
  type?: string;
  status?: number;
  /** The byte limit an `entity.too.large` went over. */
  limit?: number;
}

/** The one place errors become responses: `{code, message, details?, requestId}`. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const error = toAppError(err as Error, req);
    if (error.status >= 500) {
      logger.error('request failed', { errorCode: error.code, error: (err as Error).message });
    }
    for (const [name, value] of Object.entries(error.headers)) {
      res.setHeader(name, value);
    }
    res.status(error.status).json({
      code: error.code,
      message: error.expose ? error.message : 'internal error',
      ...error.extra,
      requestId: currentRequestId(),
    });
  };
}

function toAppError(err: BodyParserError, req: Request): AppError {
  if (err instanceof AppError) {
    return err;
  }
  const fault = requestFault(err, req);
  if (fault) {
    return new ApiError(
      fault.status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'INVALID_REQUEST',
      fault.message,
      { details: [fault.issue] },
    );
  }
  if (err.type === 'entity.too.large') {
    const kib = Math.round((err.limit ?? 16 * 1024) / 1024);
    return new ApiError('PAYLOAD_TOO_LARGE', `the body is larger than ${kib} KiB`);
  }
  if (err.type === 'entity.parse.failed') {
    return invalidRequest([{ field: 'body', message: 'is not valid JSON' }]);
  }
  if (err.type === 'charset.unsupported') {
    return new ApiError('UNSUPPORTED_MEDIA_TYPE', 'the body must be UTF-8 JSON');
  }
  if (RedisUnavailableError.from(err)) {
    return storeUnavailable();
  }
  return new ApiError('INTERNAL', err.message ?? 'internal error');
}

/** Answers 404 for anything no route took. */
export const notFoundHandler: RequestHandler = (req, _res, next) =>
  next(notFound(`route ${req.method} ${req.path}`));

/** Requires a JSON body on the routes that take one. */
export const requireJson: RequestHandler = (req, _res, next) => {
  // The usual header, on a request with a body, needs no parsing; type-is decides every other.
  if (req.headers['content-type'] === 'application/json' && hasBody(req)) {
    return next();
  }
  if (!req.is('application/json')) {
    return next(
      new ApiError('UNSUPPORTED_MEDIA_TYPE', 'send the body as Content-Type: application/json'),
    );
  }
  next();
};

// type-is' test for a body: a Transfer-Encoding, or a Content-Length that is a number.
function hasBody(req: Request): boolean {
  return (
    req.headers['transfer-encoding'] !== undefined ||
    !Number.isNaN(Number(req.headers['content-length']))
  );
}
