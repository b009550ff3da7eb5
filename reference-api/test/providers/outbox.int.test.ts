import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import {
  createOutboxProvider,
  outboxKey,
  readOutbox,
} from '../../src/providers/outbox/outbox.provider.js';

const PREFIX = '{outbox-test}';

describe('the dev outbox', () => {
  const redis = useRedis();

  it('keeps the newest 1,000 messages, newest first, and finds one by number', async () => {
    const outbox = createOutboxProvider(redis.client(), PREFIX);
    const signal = new AbortController().signal;
    const sent: string[] = [];
    for (let i = 0; i < 1005; i++) {
      const to = `+55119661${String(90000 + i).padStart(5, '0')}`;
      const result = await outbox.send(
        {
          messageId: `m-${i}`,
          to,
          channel: 'sms',
          text: `code ${i}`,
          code: undefined,
          locale: undefined,
          clientRef: undefined,
          ttlSeconds: 300,
        },
        signal,
      );
      sent.push(result.providerMessageId);
    }
    assert.equal(await redis.client().llen(outboxKey(PREFIX)), 1000);
    const newest = await readOutbox(redis.client(), PREFIX, 1000);
    assert.deepEqual(
      newest.map((e) => e.id),
      sent.slice(5).reverse(),
    );
    const [one] = await readOutbox(redis.client(), PREFIX, 10, '+5511966190500');
    assert.equal(one?.text, 'code 500');
    assert.deepEqual(await readOutbox(redis.client(), PREFIX, 10, '+5511966190000'), []);
  });
});
