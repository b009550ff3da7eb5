import type { Request } from 'express';
import type { FieldIssue } from './app-error.js';

/**
 * A request Express or body-parser refused before any route ran, through the client's fault:
 * each service answers it in its own shape with this status, and logs nothing at error level.
 */
export interface RequestFault {
  readonly status: 400 | 415;
  readonly message: string;
  readonly issue: FieldIssue;
}

/** What Express's router and body-parser put on the errors they raise (http-errors). */
interface HttpError {
  readonly status?: unknown;
  readonly type?: unknown;
  readonly encoding?: unknown;
}

const DECODABLE = 'send the body uncompressed, or as gzip, deflate or br';

/**
 * The client's fault behind `err`, or undefined for any other error: a percent-escape in the
 * path that does not decode (`/v1/messages/%ZZ`), a body that is not in the Content-Encoding it
 * claims (`gzip` over plain JSON), or a Content-Encoding body-parser cannot decode.
 */
export function requestFault(err: unknown, req: Request): RequestFault | undefined {
  if (!(err instanceof Error)) {
    return undefined;
  }
  const { status, type, encoding } = err as HttpError;
  if (err instanceof URIError && status === 400) {
    return {
      status: 400,
      message: 'the request path has a malformed percent-escape',
      issue: { field: 'path', message: 'has a malformed percent-escape' },
    };
  }
  const claimed = contentEncoding(req, encoding);
  if (type === 'encoding.unsupported') {
    return {
      status: 415,
      message: `Content-Encoding "${claimed}" is not supported: ${DECODABLE}`,
      issue: { field: 'Content-Encoding', message: `"${claimed}" is not supported` },
    };
  }
  // body-parser reports a failed decompression as the zlib error itself, given status 400.
  if (status === 400 && type === undefined && claimed !== 'identity') {
    return {
      status: 400,
      message: `the body is not ${claimed} data, as its Content-Encoding says: ${DECODABLE}`,
      issue: { field: 'body', message: `is not ${claimed} data` },
    };
  }
  return undefined;
}

/** The Content-Encoding the client sent, lower-cased and cut short (it is echoed back). */
function contentEncoding(req: Request, reported: unknown): string {
  const value = typeof reported === 'string' ? reported : req.get('content-encoding');
  return (value ?? 'identity').trim().toLowerCase().slice(0, 40) || 'identity';
}
