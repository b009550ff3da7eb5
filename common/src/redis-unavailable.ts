// "Redis is down" as a type: one place knows how ioredis reports a lost or refused connection, so
// the services map it to their UNAVAILABLE answer (503, Retry-After) instead of matching error text.

/**
 * ioredis' ways of saying the server cannot be reached (its errors are plain Errors, told by name or
 * text), and a cluster's while a replica takes over a slot. ioredis follows a MOVED or ASK itself,
 * except in a pipeline whose commands failed in different ways (one on the dead master's closed
 * connection, one redirected): that one reaches the caller, as a READONLY from a demoted master or
 * a LOADING from a restarted one does; and a slot still moving after ioredis' 16 redirects gives
 * "Too many Cluster redirections". Each passes once the cluster has settled.
 */
const CONNECTION_LOST =
  /Connection is closed|Stream isn't writeable|ECONNREFUSED|ECONNRESET|ETIMEDOUT|MaxRetriesPerRequest|enableOfflineQueue|All nodes failed|Failed to refresh slots cache|^CLUSTERDOWN|^TRYAGAIN|^MOVED \d+ |^ASK \d+ |^READONLY |^LOADING |Too many Cluster redirections|None of startup nodes is available/;

/** Error names ioredis gives the same condition (MaxRetriesPerRequestError, ClusterAllFailedError). */
const CONNECTION_LOST_NAMES = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);

/** Redis (the store every service keeps its state in) could not be reached; nothing was changed. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
  constructor(override readonly cause: unknown) {
    super(`Redis is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
  }

  /** `err` as a RedisUnavailableError when it is one or is ioredis reporting a lost connection; otherwise undefined. */
  static from(err: unknown): RedisUnavailableError | undefined {
    if (err instanceof RedisUnavailableError) {
      return err;
    }
    if (!(err instanceof Error)) {
      return undefined;
    }
    const code = (err as { code?: unknown }).code;
    if (
      CONNECTION_LOST_NAMES.has(err.name) ||
      CONNECTION_LOST.test(`${err.message} ${String(code)}`)
    ) {
      return new RedisUnavailableError(err);
    }
    return undefined;
  }
}

/** Runs a Redis operation, turning a lost connection into {@link RedisUnavailableError} and rethrowing anything else. */
export async function whileRedisAnswers<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    throw RedisUnavailableError.from(err) ?? err;
  }
}
