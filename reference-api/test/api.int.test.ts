import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { eventually, postJson, startApi } from './support/api-harness.js';

const QRIAR_BODY = `{
  "mobile": "+5511966191717",
  "totp": "Your SMS code is 123456 and is valid for 5 minutes.",
  "used": false
}`;

describe('the reference API on the embedded default', () => {
  const redis = useRedis();
  let url: string;
  before(async () => {
    const api = await startApi(redis.url);
    url = api.url;
    redis.defer(() => api.close());
  });
  beforeEach(async () => {
    await redis.client().del('{smsmfa}:outbox');
  });

  const outbox = async (to = '') =>
    (await (
      await fetch(`${url}/dev/outbox${to ? `?to=${encodeURIComponent(to)}` : ''}`)
    ).json()) as { to: string; text: string; messageId: string }[];

  it('accepts the exact payload the QriarLabs extension sends and delivers its text unchanged', async () => {
    const res = await postJson(`${url}/api/sms`, QRIAR_BODY);
    assert.equal(res.status, 202);
    assert.equal(res.body.status, 'queued');
    const [entry] = await eventually(async () => ((await outbox()).length ? outbox() : undefined));
    assert.equal(entry!.to, '+5511966191717');
    assert.equal(entry!.text, 'Your SMS code is 123456 and is valid for 5 minutes.');
    assert.equal(entry!.messageId, res.body.id);
  });

  it('renders a bare code with the default template in the requested language', async () => {
    await postJson(`${url}/api/sms`, { mobile: '+91-8212345212', totp: '523471' });
    await postJson(`${url}/v1/messages`, {
      to: '+49 151 23456789',
      code: '8812',
      locale: 'de-DE',
      ttlSeconds: 600,
    });
    const messages = await eventually(async () =>
      (await outbox()).length === 2 ? outbox() : undefined,
    );
    const byNumber = Object.fromEntries(messages.map((m) => [m.to, m.text]));
    assert.equal(
      byNumber['+918212345212'],
      'Your verification code is 523471. It expires in 5 minutes. Do not share it with anyone.',
    );
    assert.match(
      byNumber['+4915123456789']!,
      /^Ihr Bestätigungscode lautet 8812\. Er läuft in 10 Minuten ab/,
    );
  });

  it('shows a message status with its history: queued, sending, sent by the outbox', async () => {
    const res = await postJson(`${url}/v1/messages`, {
      to: '+5511966191717',
      text: 'Hello from the test',
      clientRef: 'order-42',
    });
    assert.equal(res.status, 202);
    assert.equal(res.headers.get('location'), `/v1/messages/${res.body.id}`);
    const record = await eventually(async () => {
      const r = (await (await fetch(`${url}/v1/messages/${res.body.id}`)).json()) as Record<
        string,
        any
      >;
      return r.status === 'sent' ? r : undefined;
    });
    assert.equal(record.provider, 'outbox');
    assert.equal(record.clientRef, 'order-42');
    assert.equal(record.to, '+55********717', 'the record keeps only a masked number');
    assert.deepEqual(
      record.history.map((h: { event: string }) => h.event),
      ['queued', 'sending', 'sent'],
    );
    assert.equal(
      JSON.stringify(record).includes('Hello from the test'),
      false,
      'the record keeps no text',
    );
  });

  it('answers 404 for an unknown message id', async () => {
    const res = await fetch(`${url}/v1/messages/00000000-0000-4000-8000-000000000000`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { code: string }).code, 'NOT_FOUND');
  });

  it('returns the first message for a retried request with the same Idempotency-Key and sends once', async () => {
    const body = { to: '+5511966191717', code: '445566' };
    const first = await postJson(`${url}/v1/messages`, body, { 'Idempotency-Key': 'retry-me-1' });
    const second = await postJson(`${url}/v1/messages`, body, { 'Idempotency-Key': 'retry-me-1' });
    assert.equal(first.status, 202);
    assert.equal(second.status, 200);
    assert.equal(second.headers.get('idempotent-replayed'), 'true');
    assert.equal(second.body.id, first.body.id);
    await eventually(async () => ((await outbox()).length ? true : undefined));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal((await outbox()).length, 1);
  });

  it('refuses an Idempotency-Key reused for a different request', async () => {
    await postJson(
      `${url}/v1/messages`,
      { to: '+5511966191717', code: '111111' },
      { 'Idempotency-Key': 'reuse-2' },
    );
    const res = await postJson(
      `${url}/v1/messages`,
      { to: '+5511966191717', code: '222222' },
      { 'Idempotency-Key': 'reuse-2' },
    );
    assert.equal(res.status, 422);
    assert.equal(res.body.code, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('keeps codes out of Redis: job data is sealed and removed once sent', async () => {
    const res = await postJson(`${url}/v1/messages`, { to: '+5511966191717', code: '918273' });
    await eventually(async () => ((await outbox()).length ? true : undefined));
    const keys = (await redis.keys('{smsmfa}:*')).filter((k) => k !== '{smsmfa}:outbox');
    for (const key of keys) {
      const type = await redis.client().type(key);
      const dump =
        type === 'string'
          ? await redis.client().get(key)
          : type === 'hash'
            ? JSON.stringify(await redis.client().hgetall(key))
            : '';
      assert.equal(dump?.includes('918273'), false, `${key} holds the code`);
    }
    assert.equal(
      await redis.client().exists(`{smsmfa}:sms-send:${res.body.id}`),
      0,
      'the job is gone',
    );
  });

  it('reports readiness with Redis and a running worker, and health without them', async () => {
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(((await ready.json()) as { checks: unknown }).checks, {
      redis: true,
      worker: true,
    });
  });

  it('exposes Prometheus metrics: requests, queue depth, sends by provider and latency', async () => {
    await postJson(`${url}/api/sms`, { mobile: '+5511966191717', totp: '123456' });
    await eventually(async () => ((await outbox()).length ? true : undefined));
    const text = await (await fetch(`${url}/metrics`)).text();
    assert.match(text, /http_requests_total\{method="POST",route="\/api\/sms",status="202"\} \d+/);
    assert.match(text, /sms_queue_jobs\{state="waiting"\} \d+/);
    assert.match(text, /sms_sends_total\{provider="outbox",outcome="sent"\} [1-9]/);
    assert.match(text, /sms_send_duration_seconds_bucket\{provider="outbox",le="\+Inf"\} [1-9]/);
  });
});
