import { waitForReplicas, type RedisClient } from '@sms-mfa/common/redis-client';
import type { Logger } from '@sms-mfa/common/logger';

/** A connection that wrote part of a new message, and a key of that message on it. */
export interface WriteTarget {
  /** For the log: `queue` or `records`. */
  readonly name: string;
  readonly client: RedisClient;
  /** A key the write touched: on a Cluster, WAIT goes to the node that owns it. */
  keyOf(messageId: string): string;
  /** Writes in one group share a WAIT (the same node connection): the key's hash tag. */
  groupOf(messageId: string): string;
}

/** What {@link ReplicaWaits} needs besides its targets. */
export interface ReplicaWaitSettings {
  /** REDIS_WAIT_REPLICAS (> 0). */
  readonly replicas: number;
  /** REDIS_WAIT_TIMEOUT_MS. */
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Counts a WAIT that came back with fewer replicas than asked. */
  onShort(target: string): void;
}

/**
 * REDIS_WAIT_REPLICAS: before a new message is acknowledged, waits until `replicas` replicas hold
 * what each connection wrote for it. Short answers are logged and counted, never refused: a primary
 * that lost its replicas still takes messages (losing them only if it also dies before they resync).
 *
 * WAIT blocks the connection it is sent on, which other requests share (auto-pipelining), so at most
 * one WAIT per connection and shard is out at a time, and every message whose writes it covers
 * shares it (WAIT covers every earlier write of its connection): a burst costs a wait or two, not one
 * a message. While replicas are missing, each wait still holds that connection up to the timeout.
 */
export class ReplicaWaits {
  private readonly inFlight = new Map<string, Promise<number>>();

  constructor(
    private readonly targets: readonly WriteTarget[],
    private readonly settings: ReplicaWaitSettings,
  ) {}

  /** Resolves once every target's writes for `messageId` reached the replicas, or the timeout passed. */
  async afterWrite(messageId: string): Promise<void> {
    await Promise.all(this.targets.map((t) => this.waitOn(t, messageId)));
  }

  private async waitOn(target: WriteTarget, messageId: string): Promise<void> {
    const acked = await this.shared(`${target.name}|${target.groupOf(messageId)}`, () =>
      waitForReplicas(
        target.client,
        target.keyOf(messageId),
        this.settings.replicas,
        this.settings.timeoutMs,
      ),
    ).catch((err: Error) => {
      this.settings.logger.warn('redis WAIT failed', {
        connection: target.name,
        error: err.message,
      });
      return 0;
    });
    if (acked < this.settings.replicas) {
      this.settings.onShort(target.name);
      this.settings.logger.warn('fewer Redis replicas acknowledged a new message than asked', {
        connection: target.name,
        acknowledged: acked,
        asked: this.settings.replicas,
        messageId,
      });
    }
  }

  /**
   * Joins the WAIT out for `group`, else sends one. Joining is safe: a caller's write has been
   * answered, and answers come in order on a connection, so a WAIT whose answer has not arrived was
   * queued after that write and covers it. The entry is dropped in the first callback after the
   * answer, before any later write's caller can run, so none joins a WAIT sent before its write.
   */
  private shared(group: string, wait: () => Promise<number>): Promise<number> {
    const out = this.inFlight.get(group);
    if (out) {
      return out;
    }
    const drop = () => this.inFlight.delete(group);
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
    this.inFlight.set(group, started);
    return started;
  }
}
