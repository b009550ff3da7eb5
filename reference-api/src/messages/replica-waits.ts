import type { RedisClient } from '@sms-mfa/common/redis-client';
import { ReplicaWaits, type ReplicaWaitSettings } from '@sms-mfa/common/replica-waits';

/** A connection that wrote part of a new message, and a key of that message on it. */
export interface WriteTarget {
  /** For the log and the count: `queue` or `records`. */
  readonly name: string;
  readonly client: RedisClient;
  /** A key the write touched: on a Cluster, WAIT goes to the node that owns it. */
  keyOf(messageId: string): string;
}

/**
 * REDIS_WAIT_REPLICAS for a new message: before it is acknowledged (202), what each connection
 * wrote for it (the job, the record) must be on that many replicas. How waits are shared, counted
 * and paused is {@link ReplicaWaits}'.
 */
export class MessageReplicaWaits {
  readonly #waits: ReplicaWaits;

  constructor(
    private readonly targets: readonly WriteTarget[],
    settings: ReplicaWaitSettings,
  ) {
    this.#waits = new ReplicaWaits(settings);
  }

  /** Resolves once every target's writes for `messageId` reached the replicas, or the timeout passed. */
  async afterWrite(messageId: string): Promise<void> {
    await Promise.all(
      this.targets.map((t) =>
        this.#waits.confirm({
          connection: t.name,
          client: t.client,
          key: t.keyOf(messageId),
          context: { messageId },
        }),
      ),
    );
  }
}
