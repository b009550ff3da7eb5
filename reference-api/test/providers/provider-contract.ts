import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';
import { createLogger } from '@sms-mfa/common/logger';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { openTarget } from '@sms-mfa/tests/support/redis-target';
import { loadConfig, type ProviderId } from '../../src/config.js';
import { createProvider } from '../../src/providers/registry.js';
import type { Channel } from '../../src/providers/sms-provider.js';
import type { FailureKind, ProviderFake, RecordedRequest } from '../fakes/fake-server.js';
import { startWorkerHarness, type WorkerHarness } from '../support/worker-harness.js';

/** What one adapter brings to the contract suite. */
export interface ContractSubject {
  readonly id: ProviderId;
  /** Starts the adapter's fake server. */
  startFake(): Promise<ProviderFake>;
  /** Environment that configures the adapter against the fake (credentials, base URL overrides). */
  env(fake: ProviderFake): Record<string, string>;
  /** Asserts that `request` is the send of `message`, with the right fields and auth. */
  assertSend(request: RecordedRequest, message: { to: string; text: string; code: string }): void;
  /** Requests that are sends (fakes may also see token requests and the like). */
  isSend(request: RecordedRequest): boolean;
  /** Failure kinds this provider has no way to express (e.g. a documented-free 429); default none. */
  readonly unsupported?: readonly FailureKind[];
  /** The channel the suite sends on; default 'sms'. */
  readonly channel?: Channel;
  /** Where the suite sends to; default a Brazilian mobile number (an address on the email channel). */
  readonly to?: string;
  /** PROVIDER_TIMEOUT_MS for the suite; default 300 (one HTTP call). SMTP needs a whole session. */
  readonly providerTimeoutMs?: number;
}

const DEFAULT_TO = '+5511966191717';

/**
 * The suite every adapter must pass against its fake, through the real worker and a real Redis:
 * a send carries the right fields and auth; permanent errors fail at once; transient errors and
 * timeouts are retried; a 429 pauses for the hinted time without spending an attempt.
 */
export function runProviderContract(subject: ContractSubject): void {
  describe(`${subject.id} adapter contract`, () => {
    const redisHarness = useRedis();
    let fake: ProviderFake;
    let harness: WorkerHarness;
    let redis: RedisClient;
    const sends = () => fake.requests.filter((r) => subject.isSend(r));
    const to = subject.to ?? DEFAULT_TO;
    const timeoutMs = subject.providerTimeoutMs ?? 300;
    const send = (input: Parameters<WorkerHarness['send']>[0] = {}) =>
      harness.send({ channel: subject.channel ?? 'sms', to, ...input });
    before(async () => {
      fake = await subject.startFake();
      redis = openTarget(redisHarness.url);
      const config = loadConfig({
        ...subject.env(fake),
        PROVIDERS: subject.id,
        ...redisHarness.env,
        PROVIDER_TIMEOUT_MS: String(timeoutMs),
      });
      const provider = createProvider(subject.id, {
        config,
        redis,
        logger: createLogger('contract', 'silent'),
        webhookUrl: (id) => `http://127.0.0.1:1/webhooks/${id}`,
      });
      harness = await startWorkerHarness({
        redisUrl: redisHarness.url,
        providers: [provider],
        retryBaseDelayMs: 20,
        providerTimeoutMs: timeoutMs,
      });
      redisHarness.defer(async () => {
        await harness.close();
        redis.disconnect();
        await fake.close();
      });
    });
    beforeEach(() => {
      fake.requests.length = 0;
    });

    it('sends the message with the right fields and credentials and records the provider id', async () => {
      const id = await send({ code: '482913' });
      const record = await harness.waitFor(id);
      assert.equal(record.status, 'sent');
      assert.equal(record.provider, subject.id);
      assert.ok(record.providerMessageId, 'the provider message id is recorded');
      assert.equal(sends().length, 1);
      subject.assertSend(sends()[0]!, {
        to,
        text: 'Your verification code is 482913. It expires in 5 minutes. Do not share it with anyone.',
        code: '482913',
      });
    });

    it('fails a permanently refused message at once, without retrying', async () => {
      fake.failNext('permanent');
      const id = await send();
      const record = await harness.waitFor(id);
      assert.equal(record.status, 'failed');
      assert.match(record.reason ?? '', new RegExp(subject.id));
      assert.equal(sends().length, 1);
    });

    it('retries a transient failure and then delivers', async () => {
      fake.failNext('transient', { times: 2 });
      const id = await send();
      const record = await harness.waitFor(id);
      assert.equal(record.status, 'sent');
      assert.equal(sends().length, 3);
    });

    it('counts a timeout as transient and retries it', async () => {
      fake.failNext('timeout');
      const id = await send();
      const record = await harness.waitFor(id);
      assert.equal(record.status, 'sent');
      assert.equal(sends().length, 2);
    });

    if (!subject.unsupported?.includes('rate_limited')) {
      it('pauses for the hinted time after a 429, without spending an attempt', async () => {
        fake.failNext('rate_limited', { retryAfterSeconds: 1 });
        const id = await send();
        const record = await harness.waitFor(id, undefined, 15_000);
        assert.equal(record.status, 'sent');
        const [first, second] = sends();
        assert.ok(first && second, 'tried twice');
        assert.ok(second.at - first.at >= 900, `waited ${second.at - first.at} ms for a 1 s hint`);
        assert.equal(
          record.history.filter((h) => h.event === 'attempt_failed').length,
          0,
          'no attempt was spent',
        );
      });
    }
  });
}
