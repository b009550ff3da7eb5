import { PermanentProviderError, RateLimitedProviderError, TransientProviderError } from './provider-errors.js';

/** The answer of a provider's HTTP API, read once. */
export interface ProviderResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
  readonly text: string;
}

/**
 * fetch for adapters: aborts on `signal` or after `timeoutMs`; a network error or timeout becomes a
 * TransientProviderError. The body is parsed as JSON when it is JSON.
 */
export async function providerFetch(
  providerId: string,
  url: string,
  init: RequestInit,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<ProviderResponse> {
  const signals = [AbortSignal.timeout(options.timeoutMs), ...(options.signal ? [options.signal] : [])];
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.any(signals) });
    text = await res.text();
  } catch (err) {
    const timedOut = err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError');
    throw new TransientProviderError(providerId, timedOut ? 'request timed out' : `network error: ${(err as Error).message}`);
  }
  return { status: res.status, headers: res.headers, body: parseJson(text), text };
}

function parseJson(text: string): unknown {
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return undefined;
  }
}

/** Reads a Retry-After header (seconds or HTTP date) as milliseconds, with a fallback. */
export function retryAfterMs(headers: Headers, fallbackMs: number): number {
  const value = headers.get('retry-after');
  if (!value) return fallbackMs;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? fallbackMs : Math.max(0, date - Date.now());
}

/** The usual HTTP classification when a provider gives no finer code: 429 rate-limited, 5xx transient, 4xx permanent. */
export function classifyHttpStatus(providerId: string, res: ProviderResponse, message: string, code?: string): Error {
  if (res.status === 429) return new RateLimitedProviderError(providerId, message, retryAfterMs(res.headers, 1000), code);
  if (res.status >= 500 || res.status === 408) return new TransientProviderError(providerId, message, code);
  return new PermanentProviderError(providerId, message, code);
}
