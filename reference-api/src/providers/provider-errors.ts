/** Base of every classified provider failure; `providerCode` is the provider's own code when it gave one. */
export abstract class ProviderError extends Error {
  abstract readonly kind: 'permanent' | 'transient' | 'rate_limited';
  constructor(
    readonly providerId: string,
    message: string,
    readonly providerCode?: string,
  ) {
    super(message);
  }
}

/** The provider refused the message for good (bad number, blocked, auth): retrying cannot help. */
export class PermanentProviderError extends ProviderError {
  override readonly name = 'PermanentProviderError';
  readonly kind = 'permanent' as const;
}

/** The provider could not take the message now (5xx, network, timeout): retry with backoff. */
export class TransientProviderError extends ProviderError {
  override readonly name = 'TransientProviderError';
  readonly kind = 'transient' as const;
}

/** The provider asked us to slow down; retry after `retryAfterMs` without counting an attempt. */
export class RateLimitedProviderError extends ProviderError {
  override readonly name = 'RateLimitedProviderError';
  readonly kind = 'rate_limited' as const;
  constructor(
    providerId: string,
    message: string,
    readonly retryAfterMs: number,
    providerCode?: string,
  ) {
    super(providerId, message, providerCode);
  }
}

/** Any of the three classes, narrowed by `kind`. */
export type ClassifiedProviderError =
  PermanentProviderError | TransientProviderError | RateLimitedProviderError;

/** Treats anything unclassified (a bug, an unexpected throw) as transient, so it is retried, not lost. */
export function classifyProviderError(providerId: string, err: unknown): ClassifiedProviderError {
  if (
    err instanceof PermanentProviderError ||
    err instanceof TransientProviderError ||
    err instanceof RateLimitedProviderError
  ) {
    return err;
  }
  const message = err instanceof Error ? err.message : String(err);
  return new TransientProviderError(providerId, `unexpected error: ${message}`);
}
