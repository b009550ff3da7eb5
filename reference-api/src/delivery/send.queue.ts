import { Queue, type JobsOptions } from 'bullmq';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import type { Channel, EmailPart } from '../providers/sms-provider.js';
import { seal } from './job-crypto.js';
import { asShards, shardOfId, type QueueShards } from './queue-shards.js';

/** The queue's name; the prefix carries the Redis Cluster hash tag. */
export const SEND_QUEUE_NAME = 'sms-send';

/** What a send job carries in clear: routing facts only. The content is sealed. */
export interface SendJobData {
  readonly messageId: string;
  readonly sealed: string;
  readonly expiresAt: number;
  /** Provider ids to try, in order. */
  readonly chain: readonly string[];
  /** Position in `chain` and tries spent on that provider (updated by the worker between tries). */
  readonly chainIndex: number;
  readonly providerAttempt: number;
  /** The id of the API request that queued the message, so the worker's log lines can be traced to it. */
  readonly requestId?: string;
}

/**
 * What a log line about a job names: its message, and the request that queued it, so the worker's
 * lines can be traced to that request (the worker has no AsyncLocalStorage: its promise hooks would
 * tax every await in a process whose whole work is awaits).
 */
export function jobLogFields(data: SendJobData): { requestId: string; messageId: string } {
  return { requestId: data.requestId ?? data.messageId, messageId: data.messageId };
}

/** The sealed part of a job: everything about the message itself, a DKIM key included. */
export interface SendJobContent {
  readonly to: string;
  readonly text: string;
  readonly code: string | undefined;
  readonly channel: Channel;
  readonly locale: string | undefined;
  readonly clientRef: string | undefined;
  /** The caller's application, for spend accounting (`account`). */
  readonly account?: string | undefined;
  /**
   * The number's ISO 3166 alpha-2 country ("" for none or an email), found when the message was
   * accepted, for the spend by country: the worker need not parse the number again. Jobs queued
   * before it was carried have none, and the worker works it out.
   */
  readonly country?: string;
  readonly email?: EmailPart;
}

const MAX_BATCH = 200;

/** An add waiting for the end of the event-loop turn. */
interface PendingAdd {
  readonly job: { name: string; data: SendJobData; opts: JobsOptions };
  resolve(): void;
  reject(err: unknown): void;
}

/** Producer side of the send queue: one BullMQ queue per shard (QUEUE_SHARDS), the message id picks it. */
export class SendQueue {
  /** One queue per shard, shard 0 first. */
  readonly queues: readonly Queue<SendJobData>[];
  private readonly shards: QueueShards;
  private pending = new Map<number, PendingAdd[]>();
  private flushScheduled: NodeJS.Immediate | undefined;

  constructor(
    /** The connection every shard's queue talks over (WAIT on it covers the adds). */
    readonly connection: RedisClient,
    prefix: string | QueueShards,
    private readonly key: Buffer,
    private readonly attemptsPerProvider: number,
  ) {
    this.shards = asShards(prefix);
    this.queues = this.shards.prefixes.map(
      (p) => new Queue<SendJobData>(SEND_QUEUE_NAME, { connection, prefix: p }),
    );
  }

  /** Shard 0's queue: the only one with a single shard. */
  get queue(): Queue<SendJobData> {
    return this.queues[0]!;
  }

  /** The queue message `messageId` goes to. */
  queueOf(messageId: string): Queue<SendJobData> {
    return this.queues[shardOfId(messageId, this.shards.count)]!;
  }

  /** A key of the shard `messageId` is queued on (its job's hash), for WAIT on a Cluster. */
  jobKey(messageId: string): string {
    return `${this.shards.prefixOfId(messageId)}:${SEND_QUEUE_NAME}:${messageId}`;
  }

  /** Queues a message; the job id is the message id, so adding it twice sends once. */
  add(
    messageId: string,
    content: SendJobContent,
    chain: readonly string[],
    expiresAt: Date,
    requestId?: string,
  ): Promise<void> {
    const data: SendJobData = {
      messageId,
      sealed: seal(this.key, messageId, content),
      expiresAt: expiresAt.getTime(),
      chain,
      chainIndex: 0,
      providerAttempt: 0,
      ...(requestId ? { requestId } : {}),
    };
    const opts = {
      jobId: messageId,
      attempts: Math.max(1, chain.length * this.attemptsPerProvider),
      backoff: { type: 'per-provider' },
      // Content leaves Redis when the job ends; the status record keeps the outcome.
      removeOnComplete: true,
      removeOnFail: true,
    };
    const shard = shardOfId(messageId, this.shards.count);
    return new Promise((resolve, reject) => {
      const batch = this.pending.get(shard) ?? [];
      this.pending.set(shard, batch);
      batch.push({ job: { name: 'send', data, opts }, resolve, reject });
      if (batch.length >= MAX_BATCH) {
        this.flushShard(shard);
      } else {
        this.flushScheduled ??= setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Sends the adds gathered during this turn of the event loop as one addBulk per shard (one round
   * trip and one transaction each): under load that is far fewer writes than an add per request,
   * and it costs no waiting, since the batch leaves at the end of the current turn.
   */
  private flush(): void {
    if (this.flushScheduled) {
      clearImmediate(this.flushScheduled);
    }
    this.flushScheduled = undefined;
    for (const shard of [...this.pending.keys()]) {
      this.flushShard(shard);
    }
  }

  private flushShard(shard: number): void {
    const batch = this.pending.get(shard) ?? [];
    this.pending.delete(shard);
    if (batch.length === 0) {
      return;
    }
    this.queues[shard]!.addBulk(batch.map((b) => b.job)).then(
      () => batch.forEach((b) => b.resolve()),
      (err: unknown) => batch.forEach((b) => b.reject(err)),
    );
  }

  /** Removes a job that must not run (its message could not be recorded). */
  async remove(messageId: string): Promise<void> {
    await this.queueOf(messageId).remove(messageId);
  }

  /** Jobs waiting, active and delayed, summed over the shards (queue depth for /metrics and /readyz). */
  async depth(): Promise<Record<string, number>> {
    const counts = await Promise.all(
      this.queues.map((q) => q.getJobCounts('waiting', 'active', 'delayed', 'prioritized')),
    );
    const total: Record<string, number> = {};
    for (const shard of counts) {
      for (const [state, n] of Object.entries(shard)) {
        total[state] = (total[state] ?? 0) + n;
      }
    }
    return total;
  }

  /** When the job waiting longest for a worker, on any shard, was first queued (epoch ms), or undefined when none waits. */
  async oldestWaitingSince(): Promise<number | undefined> {
    // Oldest first, one job per shard: a single LRANGE at the tail of each wait list.
    const oldest = await Promise.all(this.queues.map((q) => q.getJobs(['waiting'], 0, 0, true)));
    const times = oldest.flatMap(([job]) => (job ? [job.timestamp] : []));
    return times.length ? Math.min(...times) : undefined;
  }

  /** Workers serving the queue: those of shard 0 (every worker process serves every shard). */
  async workersCount(): Promise<number> {
    return this.queue.getWorkersCount();
  }

  async close(): Promise<void> {
    this.flush();
    await Promise.all(this.queues.map((q) => q.close()));
  }
}
