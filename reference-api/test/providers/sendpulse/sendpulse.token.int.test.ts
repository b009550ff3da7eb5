// SendPulse access tokens: one per fleet, shared through Redis, renewed once on a 401.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { RedisClient } from '@sms-mfa/common/redis-client';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import {
  PermanentProviderError,
  TransientProviderError,
} from '../../../src/providers/provider-errors.js';
import {
  createSendPulseProvider,
  type SendPulseOptions,
} from '../../../src/providers/sendpulse/sendpulse.provider.js';
import { sendPulseTokenKey } from '../../../src/providers/sendpulse/sendpulse.token-cache.js';
import type { OutboundMessage, SmsProvider } from '../../../src/providers/sms-provider.js';
import { startSendPulseFake, type SendPulseFake } from './sendpulse.fake.js';

const KEY = sendPulseTokenKey('{smsmfa}');

function message(): OutboundMessage {
  return {
    messageId: randomUUID(),
    to: '+380931234567',
    text: 'Your code is 482913',
    code: '482913',
    channel: 'sms',
    ttlSeconds: 300,
    locale: undefined,
    clientRef: undefined,
  };
}

describe('SendPulse access tokens', () => {
  const redisHarness = useRedis();
  let fake: SendPulseFake;
  let redis: RedisClient;
  const tokenRequests = () => fake.requests.filter((r) => r.url === '/oauth/access_token');
  const sends = () => fake.requests.filter((r) => r.url === '/sms/send');
  const worker = (overrides: Partial<SendPulseOptions> = {}): SmsProvider =>
    createSendPulseProvider({
      baseUrl: fake.url,
      clientId: fake.clientId,
      clientSecret: fake.clientSecret,
      sender: fake.sender,
      redis,
      tokenKey: KEY,
      timeoutMs: 2000,
      ...overrides,
    });
  const send = (provider: SmsProvider) => provider.send(message(), AbortSignal.timeout(5000));

  before(async () => {
    fake = await startSendPulseFake({ tokenLifetimeSeconds: 3600 });
    redis = redisHarness.client();
  });
  after(() => fake.close());
  beforeEach(async () => {
    await redisHarness.flush();
    fake.requests.length = 0;
    fake.refuseAllTokens(false);
  });

  it('fetches one token and lets a second worker reuse it through Redis', async () => {
    const first = await send(worker());
    const second = await send(worker());
    assert.notEqual(first.providerMessageId, second.providerMessageId);
    assert.equal(tokenRequests().length, 1);
    const [a, b] = sends().map((r) => r.headers.authorization);
    assert.equal(a, b);
  });

  it('shares the token for a little less than its lifetime', async () => {
    await send(worker());
    const ttl = await redis.ttl(KEY);
    assert.ok(ttl > 3500 && ttl < 3600, `shared for ${ttl} s of 3600`);
  });

  it('never stores the client secret next to the token', async () => {
    await send(worker());
    assert.doesNotMatch((await redis.get(KEY)) ?? '', new RegExp(fake.clientSecret));
  });

  it('renews an expired token exactly once and delivers the message', async () => {
    const provider = worker();
    await send(provider);
    fake.expireTokens();
    const result = await send(provider);
    assert.ok(result.providerMessageId);
    assert.equal(tokenRequests().length, 2, 'one token at first, one renewal');
    const [first, renewed] = fake.issuedTokens.slice(-2).map((t) => `Bearer ${t}`);
    assert.deepEqual(
      sends().map((r) => r.headers.authorization),
      [first, first, renewed],
      'sent, refused, resent with the renewal',
    );
  });

  it('takes the token another worker already renewed instead of asking for a new one', async () => {
    const a = worker();
    const b = worker();
    await send(a);
    await send(b);
    fake.expireTokens();
    await send(a); // a renews
    await send(b); // b is refused with the old token, then finds a's renewal in Redis
    assert.equal(tokenRequests().length, 2);
  });

  it('gives up after one renewal when even a fresh token is refused, as a transient failure', async () => {
    fake.refuseAllTokens(true);
    await assert.rejects(
      send(worker()),
      (err: unknown) => err instanceof TransientProviderError && /freshly issued/.test(err.message),
    );
    assert.equal(tokenRequests().length, 2, 'the first token and one renewal');
    assert.equal(sends().length, 2, 'the send and one retry');
  });

  it('fails for good, without sending, when the client credentials are wrong', async () => {
    const err = await send(worker({ clientSecret: 'wrong-secret' })).catch((e: unknown) => e);
    assert.ok(err instanceof PermanentProviderError);
    assert.equal(err.providerCode, 'invalid_client');
    assert.doesNotMatch(err.message, /wrong-secret/);
    assert.equal(sends().length, 0);
  });

  it('does not reuse a token that belongs to other client credentials', async () => {
    await send(worker());
    const other = await startSendPulseFake({
      clientId: 'other-client',
      clientSecret: fake.clientSecret,
    });
    try {
      await send(worker({ baseUrl: other.url, clientId: 'other-client' }));
      assert.equal(other.requests.filter((r) => r.url === '/oauth/access_token').length, 1);
    } finally {
      await other.close();
    }
  });
});
