import { httpCall, HttpCallError, type ResponseHeaders } from '@sms-mfa/common/http-client';
import {
  PermanentProviderError,
  RateLimitedProviderError,
  TransientProviderError,
} from './provider-errors.js';

export type { ResponseHeaders } from '@sms-mfa/common/http-client';

/** The answer of a provider's HTTP API, read once. */
export interface ProviderResponse {
  readonly status: number;
  readonly headers: ResponseHeaders;
  readonly body: unknown;
  readonly text: string;
}

/**
 * HTTP for adapters (common's keep-alive httpCall): aborts on `signal`, or when the socket stays
 * silent for `timeoutMs`; no answer becomes a TransientProviderError. The body is parsed as JSON
 * when it is JSON.
 */
export async function providerFetch(
  providerId: string,
  url: string,
  init: RequestInit,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<ProviderResponse> {
  const body = init.body;
  if (body != null && typeof body !== 'string' && !(body instanceof URLSearchParams)) {
    throw new TypeError('providerFetch: body must be a string or URLSearchParams');
  }
  try {
    const { status, headers, text } = await httpCall(url, {
      method: init.method ?? 'GET',
      headers: init.headers,
      body: body ?? undefined,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
    return { status, headers, body: parseJson(text), text };
  } catch (err) {
    if (err instanceof HttpCallError) {
      throw new TransientProviderError(providerId, err.message);
    }
    throw err;
  }
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
  if (!value) {
    return fallbackMs;
  }
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) {
    return Math.ceil(seconds * 1000);
  }
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
  if (res.status === 429) {
    return new RateLimitedProviderError(providerId, message, retryAfterMs(res.headers, 1000), code);
  }
  if (res.status >= 500 || res.status === 408) {
    return new TransientProviderError(providerId, message, code);
  }
  return new PermanentProviderError(providerId, message, code);
}
