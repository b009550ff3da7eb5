import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Channel } from '../providers/sms-provider.js';
import { seal } from './crypto.js';

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
}

/** The sealed part of a job. */
export interface SendJobContent {
  readonly to: string;
  readonly text: string;
  readonly code: string | undefined;
  readonly channel: Channel;
  readonly locale: string | undefined;
  readonly clientRef: string | undefined;
}

/** Producer side of the send queue. */
export class SendQueue {
  readonly queue: Queue<SendJobData>;

  constructor(
    connection: Redis,
    prefix: string,
    private readonly key: Buffer,
    private readonly attemptsPerProvider: number,
  ) {
    this.queue = new Queue<SendJobData>(SEND_QUEUE_NAME, { connection, prefix });
  }

  /** Queues a message; the job id is the message id, so adding it twice sends once. */
  async add(
    messageId: string,
    content: SendJobContent,
    chain: readonly string[],
    expiresAt: Date,
  ): Promise<void> {
    const data: SendJobData = {
      messageId,
      sealed: seal(this.key, messageId, content),
      expiresAt: expiresAt.getTime(),
      chain,
      chainIndex: 0,
      providerAttempt: 0,
    };
    await this.queue.add('send', data, {
      jobId: messageId,
      attempts: Math.max(1, chain.length * this.attemptsPerProvider),
      backoff: { type: 'per-provider' },
      // Content leaves Redis when the job ends; the status record keeps the outcome.
      removeOnComplete: true,
      removeOnFail: true,
    });
  }

  /** Removes a job that must not run (its message could not be recorded). */
  async remove(messageId: string): Promise<void> {
    await this.queue.remove(messageId);
  }

  /** Jobs waiting, active and delayed (queue depth for /metrics and /readyz). */
  async depth(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
