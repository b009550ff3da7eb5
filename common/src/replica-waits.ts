import type { Logger } from './logger.js';
import { ownerOf, waitForReplicas, type RedisClient } from './redis-client.js';

/** After a short WAIT, how long later writes to the same node are not waited for (each still counted as short). */
export const PAUSE_AFTER_SHORT_MS = 5_000;

/** What {@link ReplicaWaits} needs: REDIS_WAIT_REPLICAS and REDIS_WAIT_TIMEOUT_MS, and where shorts go. */
export interface ReplicaWaitSettings {
  /** REDIS_WAIT_REPLICAS; 0 waits for nothing. */
  readonly replicas: number;
  /** REDIS_WAIT_TIMEOUT_MS. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Counts a write answered before `replicas` replicas held it (`connection` names the client). */
  onShort(connection: string): void;
}

/** One write to confirm: the connection that made it, a key it touched, and what to log. */
export interface ConfirmedWrite {
  /** For the log and the count: `queue`, `records`, `bridge`. */
  readonly connection: string;
  readonly client: RedisClient;
  /** On a Cluster, WAIT goes to the node that owns this key (writes to one node share its WAIT and its pause). */
  readonly key: string;
  /** What was written, for the warning: never a code, a secret or a number. */
  readonly context: Readonly<Record<string, unknown>>;
}

/**
 * REDIS_WAIT_REPLICAS: before a service answers that it took a write (a code sent, a message
 * accepted), the write must be on that many replicas, so a failover right after the answer cannot
 * lose it. A short count never fails the request (the write is on the master): it is logged and
 * counted. WAIT blocks the connection it is sent on, which every request to that node shares, so:
 * at most one WAIT per connection and node is out at a time and every write it covers shares it
 * (a burst costs a wait or two, not one each); and once a WAIT comes back short, that node's waits
 * pause for {@link PAUSE_AFTER_SHORT_MS} instead of stalling every request by the timeout while a
 * replica is away.
 */
export class ReplicaWaits {
  readonly #inFlight = new Map<string, Promise<number>>();
  readonly #pausedUntilMs = new Map<string, number>();

  constructor(private readonly settings: ReplicaWaitSettings) {}

  /** Resolves once the replicas hold what `write.client` wrote so far, or the timeout passed, or at once with REDIS_WAIT_REPLICAS=0. */
  async confirm(write: ConfirmedWrite): Promise<void> {
    const { replicas, timeoutMs } = this.settings;
    if (replicas <= 0) {
      return;
    }
    const group = `${write.connection}|${ownerOf(write.client, write.key)}`;
    if (Date.now() < (this.#pausedUntilMs.get(group) ?? 0)) {
      this.settings.onShort(write.connection);
      return;
    }
    const acked = await this.#shared(group, () =>
      waitForReplicas(write.client, write.key, replicas, timeoutMs),
    ).catch((err: Error) => {
      // the write itself succeeded: a WAIT that fails (a failover under way) only leaves it unconfirmed
      this.settings.logger.warn('redis WAIT failed', {
        connection: write.connection,
        error: err.message,
      });
      return 0;
    });
    if (acked < replicas) {
      this.#pausedUntilMs.set(group, Date.now() + PAUSE_AFTER_SHORT_MS);
      this.settings.onShort(write.connection);
      this.settings.logger.warn('redis write not confirmed on enough replicas; answering anyway', {
        ...write.context,
        connection: write.connection,
        wanted: replicas,
        acked,
        timeoutMs,
        pausedMs: PAUSE_AFTER_SHORT_MS,
      });
    }
  }

  /**
   * Joins the WAIT out on this connection and node, else sends one. Joining is safe: a caller's write has been
   * answered, and answers come in order on a connection, so a WAIT whose answer has not arrived was
   * queued after that write and covers it. The entry is dropped in the first callback after the
   * answer, before any later write's caller can run, so none joins a WAIT sent before its write.
   */
  #shared(group: string, wait: () => Promise<number>): Promise<number> {
    const out = this.#inFlight.get(group);
    if (out) {
      return out;
    }
    const drop = () => this.#inFlight.delete(group);
    const started = wait().then(
      (n) => {
        drop();
        return n;
      },
      (err: unknown) => {
        drop();
        throw err;
      },
    );
    this.#inFlight.set(group, started);
    return started;
  }
}
