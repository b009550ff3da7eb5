import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import {
  PermanentProviderError,
  RateLimitedProviderError,
  TransientProviderError,
} from './provider-errors.js';

/** Response headers, read by name (case-insensitive). */
export type ResponseHeaders = Pick<Headers, 'get'>;

/** The answer of a provider's HTTP API, read once. */
export interface ProviderResponse {
  readonly status: number;
  readonly headers: ResponseHeaders;
  readonly body: unknown;
  readonly text: string;
}

/**
 * HTTP for adapters: aborts on `signal`, or when the socket stays silent for `timeoutMs`; a network
 * error or timeout becomes a TransientProviderError. The body is parsed as JSON when it is JSON. Built
 * on node:http with keep-alive agents rather than fetch: a send is one small request, and undici's
 * fetch costs several times more CPU per call, which caps a worker's send rate. The caller's signal
 * goes straight to node:http and the timeout is the socket's own, so a send makes no timer or
 * AbortController of its own.
 */
export async function providerFetch(
  providerId: string,
  url: string,
  init: RequestInit,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<ProviderResponse> {
  try {
    const { status, headers, text } = await request(url, init, options);
    return { status, headers, body: parseJson(text), text };
  } catch (err) {
    const reason =
      err instanceof RequestTimeout || options.signal?.aborted
        ? 'request timed out'
        : `network error: ${(err as Error).message}`;
    throw new TransientProviderError(providerId, reason);
  }
}

class RequestTimeout extends Error {}

const agents = {
  'http:': new HttpAgent({ keepAlive: true, maxSockets: 256 }),
  'https:': new HttpsAgent({ keepAlive: true, maxSockets: 256 }),
};

function request(
  url: string,
  init: RequestInit,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<{ status: number; headers: ResponseHeaders; text: string }> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  const body =
    typeof init.body === 'string'
      ? init.body
      : init.body instanceof URLSearchParams
        ? init.body.toString()
        : undefined;
  if (init.body != null && body === undefined)
    throw new TypeError('providerFetch: body must be a string or URLSearchParams');
  const headers = plainHeaders(init.headers);
  if (init.body instanceof URLSearchParams && !headers['content-type'])
    headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  return new Promise((resolve, reject) => {
    const req = send(
      target,
      {
        method: init.method ?? 'GET',
        headers,
        agent: agents[target.protocol as 'http:'],
        timeout: options.timeoutMs,
        ...(options.signal ? { signal: options.signal } : {}),
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
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new RequestTimeout('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Lower-cased header names to values, from whatever form an adapter passed (object, array, Headers). */
function plainHeaders(init: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (name: string, value: string | readonly string[]) =>
    (out[name.toLowerCase()] = typeof value === 'string' ? value : value.join(', '));
  if (init instanceof Headers) init.forEach((value, name) => put(name, value));
  else if (Array.isArray(init)) for (const [name, value] of init) put(String(name), String(value));
  else for (const [name, value] of Object.entries(init ?? {})) put(name, value);
  return out;
}

// A Headers object per answer costs more than the whole send elsewhere; adapters only ever get().
function toHeaders(raw: IncomingHttpHeaders): ResponseHeaders {
  return {
    get(name: string) {
      const value = raw[name.toLowerCase()];
      return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a Retry-After header (seconds or HTTP date) as milliseconds, with a fallback. */
export function retryAfterMs(headers: ResponseHeaders, fallbackMs: number): number {
  const value = headers.get('retry-after');
  if (!value) return fallbackMs;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? fallbackMs : Math.max(0, date - Date.now());
}

/** The usual HTTP classification when a provider gives no finer code: 429 rate-limited, 5xx transient, 4xx permanent. */
export function classifyHttpStatus(
  providerId: string,
  res: ProviderResponse,
  message: string,
  code?: string,
): Error {
  if (res.status === 429)
    return new RateLimitedProviderError(providerId, message, retryAfterMs(res.headers, 1000), code);
  if (res.status >= 500 || res.status === 408)
    return new TransientProviderError(providerId, message, code);
  return new PermanentProviderError(providerId, message, code);
}
