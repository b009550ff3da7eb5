import type { Response } from 'express';

/**
 * Answers `status` with `value` as JSON, the bytes and headers `res.status(status).json(value)` sends
 * (Content-Type, Content-Length, the app's ETag), without its content-type lookups and header
 * re-reads: for the hot path's answers, which are never HEAD, 204 or 304 and never already typed.
 */
export function sendJson(res: Response, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  const etag = (res.app.get('etag fn') as EtagFn | undefined)?.(body, 'utf8');
  if (etag) {
    res.setHeader('ETag', etag);
  }
  // A string goes out with the headers in one write (a Buffer would take a writev of two).
  res.end(body);
}

/** Express's compiled `etag` setting. */
type EtagFn = (body: string, encoding: BufferEncoding) => string | undefined;
