import { AsyncResource } from 'node:async_hooks';
import type { IncomingMessage } from 'node:http';
import express, { type NextFunction, type Request, type RequestHandler } from 'express';

// The Content-Type values the fast path takes as they are; any other goes to body-parser.
const PLAIN_JSON = new Set([
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=UTF-8',
  'application/json;charset=utf-8',
  'application/json;charset=UTF-8',
]);

/** What body-parser puts on the errors it raises (http-errors), for the error handler. */
type BodyError = Error & { status: number; statusCode: number; expose: boolean; type: string };

function bodyError(err: Error, type: string): BodyError {
  return Object.assign(err, { status: 400, statusCode: 400, expose: true, type });
}

/** How {@link jsonBody} reads: body-parser's `limit` (in bytes) and `strict`. */
export interface JsonBodyOptions {
  readonly limitBytes: number;
  /** Only objects and arrays, as body-parser's `strict` (its default); false takes any JSON value. */
  readonly strict: boolean;
}

/**
 * `express.json({ limit, strict, type: 'application/json' })` with a lean path for the ordinary
 * request: plain UTF-8 JSON, uncompressed, with a Content-Length within the limit. That one is read
 * and parsed here (body-parser's type, charset and decoder machinery was a tenth of a request's CPU);
 * every other request (a charset, an encoding, chunked, too large, empty) goes to body-parser
 * itself, so each of its answers stays exactly as it was.
 */
export function jsonBody({ limitBytes, strict }: JsonBodyOptions): RequestHandler {
  const bodyParser = express.json({ limit: limitBytes, strict, type: 'application/json' });
  return (req, res, next) => {
    const length = plainJsonLength(req, limitBytes);
    if (length === undefined) {
      return bodyParser(req, res, next);
    }
    readJson(req, length, strict, next);
  };
}

/** The Content-Length of a request the lean path can take, else undefined. */
function plainJsonLength(req: IncomingMessage, limitBytes: number): number | undefined {
  const { headers } = req;
  const declared = headers['content-length'];
  if (
    declared === undefined ||
    headers['transfer-encoding'] !== undefined ||
    headers['content-encoding'] !== undefined ||
    !PLAIN_JSON.has(headers['content-type'] ?? '') ||
    !/^[1-9]\d{0,8}$/.test(declared) ||
    // Already read or cut off: body-parser decides what that means.
    !req.readable ||
    !req.socket?.readable
  ) {
    return undefined;
  }
  const length = Number(declared);
  return length <= limitBytes ? length : undefined;
}

function readJson(req: Request, length: number, strict: boolean, next: NextFunction): void {
  // Anonymous listeners over one object: the bench's loader (tsx, keepNames) names every named
  // closure as it is made, which is a property definition per request each.
  const read = new BodyRead(req, length, strict, next);
  req.on('data', (chunk: Buffer) => read.data(chunk));
  req.on('end', () => read.end());
  req.on('aborted', () => read.fail(new Error('request aborted'), 'request.aborted'));
  req.on('error', (err: Error) => read.fail(err, 'stream.error'));
}

/** One body being read; it calls back in the request's async context (its request id), as raw-body does. */
class BodyRead extends AsyncResource {
  private readonly chunks: Buffer[] = [];
  private received = 0;
  private settled = false;

  constructor(
    private readonly req: Request,
    private readonly length: number,
    private readonly strict: boolean,
    private readonly next: NextFunction,
  ) {
    super('JsonBody');
  }

  data(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.received += chunk.length;
  }

  end(): void {
    if (this.received !== this.length) {
      return this.fail(
        new Error('request size did not match content length'),
        'request.size.invalid',
      );
    }
    if (!this.settled) {
      this.settled = true;
      const { chunks } = this;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.received);
      this.runInAsyncScope(parse, null, this.req, body, this.strict, this.next);
    }
  }

  fail(err: Error, type: string): void {
    if (!this.settled) {
      this.settled = true;
      this.runInAsyncScope(this.next, null, bodyError(err, type));
    }
  }
}

// body-parser's strict check: the first character that is not JSON whitespace.
const FIRST_CHAR = /^[\x20\x09\x0a\x0d]*([^\x20\x09\x0a\x0d])/;

function parse(req: Request, body: Buffer, strict: boolean, next: NextFunction): void {
  let text = body.toString('utf8');
  // body-parser's decoder (iconv-lite) drops a byte-order mark.
  if (text.charCodeAt(0) === 0xfeff) {
    text = text.slice(1);
  }
  const first = strict && text.length > 0 ? FIRST_CHAR.exec(text)?.[1] : '{';
  if (first !== '{' && first !== '[') {
    return next(
      bodyError(new SyntaxError('JSON body must be an object or an array'), 'entity.parse.failed'),
    );
  }
  try {
    req.body = text.length === 0 ? {} : JSON.parse(text);
  } catch (err) {
    return next(bodyError(err as Error, 'entity.parse.failed'));
  }
  next();
}
