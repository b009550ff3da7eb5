import { Queue, type JobsOptions } from 'bullmq';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import type { Channel, EmailPart } from '../providers/sms-provider.js';
import { seal } from './job-crypto.js';

/** The queue's name; the prefix carries the RedisClient Cluster hash tag. */
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
  readonly email?: EmailPart;
}

const MAX_BATCH = 200;

/** An add waiting for the end of the event-loop turn. */
interface PendingAdd {
  readonly job: { name: string; data: SendJobData; opts: JobsOptions };
  resolve(): void;
  reject(err: unknown): void;
}

/** Producer side of the send queue. */
export class SendQueue {
  readonly queue: Queue<SendJobData>;
  private pending: PendingAdd[] = [];
  private flushScheduled: NodeJS.Immediate | undefined;

  constructor(
    connection: RedisClient,
    prefix: string,
    private readonly key: Buffer,
    private readonly attemptsPerProvider: number,
  ) {
    this.queue = new Queue<SendJobData>(SEND_QUEUE_NAME, { connection, prefix });
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
      // Content leaves RedisClient when the job ends; the status record keeps the outcome.
      removeOnComplete: true,
      removeOnFail: true,
    };
    return new Promise((resolve, reject) => {
      this.pending.push({ job: { name: 'send', data, opts }, resolve, reject });
      if (this.pending.length >= MAX_BATCH) {
        this.flush();
      } else {
        this.flushScheduled ??= setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Sends the adds gathered during this turn of the event loop as one addBulk (one RedisClient round trip
   * and one transaction): under load that is far fewer writes than an add per request, and it costs
   * no waiting, since the batch leaves at the end of the current turn.
   */
  private flush(): void {
    if (this.flushScheduled) {
      clearImmediate(this.flushScheduled);
    }
    this.flushScheduled = undefined;
    const batch = this.pending.splice(0);
    if (batch.length === 0) {
      return;
    }
    this.queue.addBulk(batch.map((b) => b.job)).then(
      () => batch.forEach((b) => b.resolve()),
      (err: unknown) => batch.forEach((b) => b.reject(err)),
    );
  }

  /** Removes a job that must not run (its message could not be recorded). */
  async remove(messageId: string): Promise<void> {
    await this.queue.remove(messageId);
  }

  /** Jobs waiting, active and delayed (queue depth for /metrics and /readyz). */
  async depth(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  }

  /** When the job waiting longest for a worker was first queued (epoch ms), or undefined when none waits. */
  async oldestWaitingSince(): Promise<number | undefined> {
    // Oldest first, one job: a single LRANGE at the tail of the wait list.
    const [oldest] = await this.queue.getJobs(['waiting'], 0, 0, true);
    return oldest?.timestamp;
  }

  async close(): Promise<void> {
    this.flush();
    await this.queue.close();
  }
}
