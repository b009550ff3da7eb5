import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingHttpHeaders,
  type RequestOptions,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { urlToHttpOptions } from 'node:url';

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

/**
 * How long an idle kept-alive connection waits for its next call. Node's agent only honours a
 * server's `Keep-Alive: timeout=N` hint (closing the socket 1 s before the server would) when the
 * agent has a timeout of its own: without one it keeps idle sockets forever, and a call that takes
 * one just as the server closes it fails with "socket hang up".
 */
const IDLE_SOCKET_MS = 30_000;
const agents = {
  'http:': new HttpAgent({ keepAlive: true, maxSockets: 256, timeout: IDLE_SOCKET_MS }),
  'https:': new HttpsAgent({ keepAlive: true, maxSockets: 256, timeout: IDLE_SOCKET_MS }),
};

/**
 * A kept-alive socket the server closed as the request went out (the server's idle timeout, a
 * restart): the request never reached it, so it is sent again on another socket. Each failure
 * spends one pooled socket; this bounds the tries when several went stale at once.
 */
const STALE_SOCKET_TRIES = 3;

/**
 * One HTTP call on keep-alive node:http(s) agents, for service-to-service and provider calls.
 * Not fetch: a call here is one small request, and undici's fetch costs several times more CPU
 * per call, which caps how many a process can make. The timeout is the socket's own, and the
 * caller's signal is watched by one listener per signal (see {@link abortOn}), so a call makes no
 * timer, AbortController or listener of its own.
 */
export async function httpCall(url: string, call: HttpCall): Promise<HttpAnswer> {
  const target = targetOf(url);
  const body = call.body instanceof URLSearchParams ? call.body.toString() : call.body;
  const headers = plainHeaders(call.headers);
  if (call.body instanceof URLSearchParams && !headers['content-type']) {
    headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
  }
  if (body !== undefined) {
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  const signal = call.signal;
  for (let tries = 1; ; tries++) {
    if (signal?.aborted) {
      throw new HttpCallError('timeout', 'request timed out');
    }
    try {
      return await send(target, call, headers, body, signal);
    } catch (err) {
      if (!(err instanceof StaleSocketError) || tries >= STALE_SOCKET_TRIES) {
        throw err instanceof StaleSocketError ? err.failure : err;
      }
    }
  }
}

/** The server closed a reused keep-alive socket before answering: the call may go again. */
class StaleSocketError extends Error {
  constructor(readonly failure: HttpCallError) {
    super(failure.message);
  }
}

/** One try of {@link httpCall}. */
function send(
  target: Target,
  call: HttpCall,
  headers: Record<string, string>,
  body: string | undefined,
  signal: AbortSignal | undefined,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const options = {
      ...target.options,
      method: call.method ?? 'GET',
      headers,
      timeout: call.timeoutMs,
    };
    let answered = false;
    const req = target.send(options, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        forget();
        resolve({
          status: res.statusCode ?? 0,
          headers: toHeaders(res.headers),
          text:
            chunks.length === 1
              ? chunks[0]!.toString('utf8')
              : Buffer.concat(chunks).toString('utf8'),
        });
      });
      res.on('error', (err) => {
        forget();
        reject(failure(err, signal));
      });
    });
    const forget = signal ? abortOn(signal, req) : noop;
    req.on('timeout', () => req.destroy(new HttpCallError('timeout', 'request timed out')));
    req.on('error', (err) => {
      forget();
      const failed = failure(err, signal);
      reject(!answered && isStale(req, err, failed) ? new StaleSocketError(failed) : failed);
    });
    req.end(body);
  });
}

/** A reset or closed reused socket (with no answer begun): what a server's idle close looks like. */
function isStale(req: ClientRequest, err: Error, failed: HttpCallError): boolean {
  const code = (err as { code?: unknown }).code;
  return (
    req.reusedSocket && failed.reason === 'network' && (code === 'ECONNRESET' || code === 'EPIPE')
  );
}

/** Where a URL's calls go: parsed once per URL, not per call. */
interface Target {
  readonly send: typeof httpRequest;
  readonly options: RequestOptions;
}

const targets = new Map<string, Target>();
const MAX_TARGETS = 1000;

function targetOf(url: string): Target {
  let target = targets.get(url);
  if (!target) {
    const parsed = new URL(url);
    const https = parsed.protocol === 'https:';
    target = {
      send: https ? httpsRequest : httpRequest,
      // What node:http makes of a URL itself, with our agent for the protocol.
      options: { ...urlToHttpOptions(parsed), agent: agents[parsed.protocol as 'http:'] },
    };
    if (targets.size >= MAX_TARGETS) {
      targets.clear(); // URLs with ids in them: never let the memory grow without bound
    }
    targets.set(url, target);
  }
  return target;
}

/** The calls in flight under each signal: one abort listener per signal, however many calls it covers. */
const inFlight = new WeakMap<AbortSignal, Set<ClientRequest>>();

/** Destroys `req` as timed out when `signal` aborts; returns what to call once the call has ended. */
function abortOn(signal: AbortSignal, req: ClientRequest): () => void {
  let calls = inFlight.get(signal);
  if (!calls) {
    const watched = new Set<ClientRequest>();
    signal.addEventListener(
      'abort',
      () => {
        for (const call of watched) {
          call.destroy(new HttpCallError('timeout', 'request timed out'));
        }
        watched.clear();
      },
      { once: true },
    );
    inFlight.set(signal, watched);
    calls = watched;
  }
  calls.add(req);
  const own = calls;
  return () => own.delete(req);
}

function noop(): void {}

function failure(err: Error, signal: AbortSignal | undefined): HttpCallError {
  if (err instanceof HttpCallError) {
    return err;
  }
  if (signal?.aborted) {
    return new HttpCallError('timeout', 'request timed out');
  }
  return new HttpCallError('network', `network error: ${err.message}`);
}

/** Frozen header objects (an adapter's fixed headers) as lower-cased copies, made once each. */
const frozenHeaders = new WeakMap<object, Readonly<Record<string, string>>>();

/**
 * Lower-cased header names to values, from whatever form the caller passed (object, array,
 * Headers): a fresh object the call may add to. A frozen plain object cannot change, so it is
 * read once.
 */
function plainHeaders(init: RequestInit['headers']): Record<string, string> {
  if (init && Object.isFrozen(init) && !Array.isArray(init) && !(init instanceof Headers)) {
    let known = frozenHeaders.get(init);
    if (!known) {
      known = lowerCased(init);
      frozenHeaders.set(init, known);
    }
    return { ...known };
  }
  return lowerCased(init);
}

function lowerCased(init: RequestInit['headers']): Record<string, string> {
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
