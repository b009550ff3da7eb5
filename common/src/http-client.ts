import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** Response headers, read by name (case-insensitive). */
export type ResponseHeaders = Pick<Headers, 'get'>;

/** An answer, read whole. */
export interface HttpAnswer {
  readonly status: number;
  readonly headers: ResponseHeaders;
  readonly text: string;
}

/** What a call sends and how long it may take. */
export interface HttpCall {
  readonly method?: string;
  /** Header names to values (any case); or a Headers object or pairs, as fetch takes them. */
  readonly headers?: RequestInit['headers'];
  /** A string, or a form (sent as application/x-www-form-urlencoded unless a content-type is given). */
  readonly body?: string | URLSearchParams | undefined;
  /** Gives up when the socket stays silent this long. */
  readonly timeoutMs: number;
  /** Gives up when this aborts. */
  readonly signal?: AbortSignal | undefined;
}

/** Why a call got no answer. */
export class HttpCallError extends Error {
  override readonly name = 'HttpCallError';
  constructor(
    /** `timeout`: silent past timeoutMs or aborted by the caller; `network`: refused, reset, DNS... */
    readonly reason: 'timeout' | 'network',
    message: string,
  ) {
    super(message);
  }
}

const agents = {
  'http:': new HttpAgent({ keepAlive: true, maxSockets: 256 }),
  'https:': new HttpsAgent({ keepAlive: true, maxSockets: 256 }),
};

/**
 * One HTTP call on keep-alive node:http(s) agents, for service-to-service and provider calls.
 * Not fetch: a call here is one small request, and undici's fetch costs several times more CPU
 * per call, which caps how many a process can make. The caller's signal goes straight to
 * node:http and the timeout is the socket's own, so a call makes no timer or AbortController.
 */
export async function httpCall(url: string, call: HttpCall): Promise<HttpAnswer> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const body = call.body instanceof URLSearchParams ? call.body.toString() : call.body;
  const headers = plainHeaders(call.headers);
  if (call.body instanceof URLSearchParams && !headers['content-type']) {
    headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
  }
  if (body !== undefined) {
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: call.method ?? 'GET',
        headers,
        agent: agents[target.protocol as 'http:'],
        timeout: call.timeoutMs,
        ...(call.signal ? { signal: call.signal } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: toHeaders(res.headers),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', (err) => reject(failure(err, call.signal)));
      },
    );
    req.on('timeout', () => req.destroy(new HttpCallError('timeout', 'request timed out')));
    req.on('error', (err) => reject(failure(err, call.signal)));
    req.end(body);
  });
}

function failure(err: Error, signal: AbortSignal | undefined): HttpCallError {
  if (err instanceof HttpCallError) {
    return err;
  }
  if (signal?.aborted) {
    return new HttpCallError('timeout', 'request timed out');
  }
  return new HttpCallError('network', `network error: ${err.message}`);
}

/** Lower-cased header names to values, from whatever form the caller passed (object, array, Headers). */
function plainHeaders(init: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (name: string, value: string | readonly string[]) =>
    (out[name.toLowerCase()] = typeof value === 'string' ? value : value.join(', '));
  if (init instanceof Headers) {
    init.forEach((value, name) => put(name, value));
  } else if (Array.isArray(init)) {
    for (const [name, value] of init) {
      put(String(name), String(value));
    }
  } else {
    for (const [name, value] of Object.entries(init ?? {})) {
      put(name, value);
    }
  }
  return out;
}

// A Headers object per answer costs more than the whole call elsewhere; callers only ever get().
function toHeaders(raw: IncomingHttpHeaders): ResponseHeaders {
  return {
    get(name: string) {
      const value = raw[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}
