// SendGrid through the running service: its refusals fail over to the next provider of the chain,
// and its signed Event Webhook moves a message to delivered, undelivered or failed.
import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { eventually, postJson, startApi } from '../../support/api-harness.js';
import { startSendGridFake, type SendGridFake, type SendGridFakeMail } from './sendgrid.fake.js';

const API_KEY = 'SG.int-test-key.0123456789abcdef';

describe('SendGrid through the reference API', () => {
  const redis = useRedis();
  let fake: SendGridFake;
  let url: string;
  before(async () => {
    fake = await startSendGridFake({ apiKey: API_KEY });
    const api = await startApi(redis.url, {
      // The outbox after SendGrid shows where a message went when SendGrid would not take it.
      PROVIDERS: 'sendgrid,outbox',
      EMAIL_FROM: 'Acme <no-reply@acme.example>',
      SENDGRID_BASE_URL: fake.url,
      SENDGRID_API_KEY: API_KEY,
      SENDGRID_WEBHOOK_PUBLIC_KEY: fake.webhookPublicKey,
    });
    url = api.url;
    redis.defer(async () => {
      await api.close();
      await fake.close();
    });
  });
  beforeEach(() => {
    fake.requests.length = 0;
  });

  async function status(id: string): Promise<Record<string, any>> {
    return (await (await fetch(`${url}/v1/messages/${id}`)).json()) as Record<string, any>;
  }

  async function waitFor(id: string, wanted: string): Promise<Record<string, any>> {
    return eventually(async () => {
      const record = await status(id);
      return record.status === wanted ? record : undefined;
    });
  }

  async function queue(): Promise<string> {
    const res = await postJson(`${url}/v1/messages`, {
      channel: 'email',
      to: 'jane@example.com',
      code: '482913',
      email: { html: '<p>Your code is <b>482913</b></p>' },
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    return res.body.id as string;
  }

  async function sentBySendGrid(): Promise<{ id: string; mail: SendGridFakeMail }> {
    const id = await queue();
    const record = await waitFor(id, 'sent');
    const mail = fake.mails.find((m) => m.xMessageId === record.providerMessageId);
    assert.ok(mail, 'SendGrid accepted it, and its X-Message-Id is the provider id');
    return { id, mail };
  }

  const post = (batch: { headers: Record<string, string>; body: string }) =>
    fetch(`${url}/webhooks/sendgrid`, { method: 'POST', headers: batch.headers, body: batch.body });

  it('sends the plain text first, then the HTML, from the parsed sender', async () => {
    const { mail } = await sentBySendGrid();
    assert.deepEqual(mail.body.from, { email: 'no-reply@acme.example', name: 'Acme' });
    assert.deepEqual(
      mail.body.content?.map((c) => c.type),
      ['text/plain', 'text/html'],
    );
    assert.equal(mail.body.content?.[1]?.value, '<p>Your code is <b>482913</b></p>');
  });

  for (const [answer, failure] of [
    ['a 400 naming the field', { kind: 'permanent', code: '400' }],
    ['a 401 (a bad key)', { kind: 'permanent', code: '401' }],
    ['a 413 (too large)', { kind: 'permanent', code: '413' }],
  ] as const) {
    it(`fails over to the next provider at once after ${answer}`, async () => {
      fake.failNext(failure.kind, { code: failure.code });
      const id = await queue();
      const record = await waitFor(id, 'sent');
      assert.equal(record.provider, 'outbox');
      const failed = record.history.filter((h: { event: string }) => h.event === 'attempt_failed');
      assert.deepEqual(
        failed.map((h: { provider: string; errorCode: string }) => [h.provider, h.errorCode]),
        [['sendgrid', failure.code]],
      );
      assert.equal(fake.requests.length, 1, 'SendGrid was not asked again');
    });
  }

  it('retries a 5xx, then fails over to the next provider once its tries are spent', async () => {
    fake.failNext('transient', { times: 3, code: '500' });
    const id = await queue();
    const record = await waitFor(id, 'sent');
    assert.equal(record.provider, 'outbox');
    assert.equal(fake.requests.length, 3, 'PROVIDER_ATTEMPTS tries on SendGrid');
  });

  it('marks a message delivered when a signed batch reports it delivered', async () => {
    const { id, mail } = await sentBySendGrid();
    const res = await post(fake.batch(fake.events(mail, ['processed', 'delivered'])));
    assert.equal(res.status, 200);
    const record = await waitFor(id, 'delivered');
    assert.equal(record.provider, 'sendgrid');
  });

  it('marks a bounced message undelivered with its status code, and a dropped one failed', async () => {
    const bounced = await sentBySendGrid();
    const dropped = await sentBySendGrid();
    const events = [
      ...fake.events(bounced.mail, ['bounce'], { status: '5.1.1', type: 'bounce' }),
      ...fake.events(dropped.mail, ['dropped'], { reason: 'Bounced Address' }),
    ];
    assert.equal((await post(fake.batch(events))).status, 200);
    assert.equal((await waitFor(bounced.id, 'undelivered')).errorCode, '5.1.1');
    await waitFor(dropped.id, 'failed');
  });

  it('finds the message by sg_message_id when the event carries no custom argument', async () => {
    const { id, mail } = await sentBySendGrid();
    const [event] = fake.events(mail, ['delivered']) as Record<string, unknown>[];
    delete event!['messageId'];
    assert.equal((await post(fake.batch([event!]))).status, 200);
    await waitFor(id, 'delivered');
  });

  it('leaves a message alone when the events say nothing final (processed, deferred, open)', async () => {
    const { id, mail } = await sentBySendGrid();
    const res = await post(fake.batch(fake.events(mail, ['processed', 'deferred', 'open'])));
    assert.deepEqual(await res.json(), { received: 0 });
    assert.equal((await status(id)).status, 'sent');
  });

  it('refuses a batch with a wrong or missing signature with 401 and changes nothing', async () => {
    const { id, mail } = await sentBySendGrid();
    const genuine = fake.batch(fake.events(mail, ['bounce'], { status: '5.1.1' }));
    const forged = { headers: genuine.headers, body: genuine.body.replace('bounce', 'delivered') };
    assert.equal((await post(forged)).status, 401);
    const unsigned = { headers: { 'content-type': 'application/json' }, body: genuine.body };
    assert.equal((await post(unsigned)).status, 401);
    const stale = {
      headers: { ...genuine.headers, 'x-twilio-email-event-webhook-timestamp': '1588788367' },
      body: genuine.body,
    };
    assert.equal((await post(stale)).status, 401, 'the timestamp is signed too');
    assert.equal((await status(id)).status, 'sent');
  });

  it("ignores events naming a message SendGrid did not send, even with that message's id", async () => {
    fake.failNext('permanent');
    const id = await queue();
    await waitFor(id, 'sent'); // by the outbox
    const { mail } = await sentBySendGrid();
    const events = fake.events(mail, ['dropped'], { messageId: id });
    assert.equal((await post(fake.batch(events))).status, 200);
    assert.equal((await status(id)).provider, 'outbox');
    assert.equal((await status(id)).status, 'sent');
  });
});
