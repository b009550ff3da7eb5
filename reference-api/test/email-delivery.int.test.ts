// Emails take the same send path as texts: only email providers get them, whole (the DKIM key
// survives the sealed job), with failover between them and the same expiry.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { scriptedProvider, type ScriptedProvider } from './fakes/scripted.provider.js';
import { dkimTestKey } from './support/dkim-key.js';
import { delayedJob, startWorkerHarness, type WorkerHarness } from './support/worker-harness.js';

describe('the send worker with email', () => {
  const redis = useRedis();
  let texter: ScriptedProvider;
  let mailerA: ScriptedProvider;
  let mailerB: ScriptedProvider;
  let harness: WorkerHarness;
  before(async () => {
    texter = scriptedProvider('texter', ['sms', 'whatsapp', 'telegram']);
    mailerA = scriptedProvider('mailer-a', ['email']);
    mailerB = scriptedProvider('mailer-b', ['email']);
    harness = await startWorkerHarness({
      redisUrl: redis.url,
      providers: [texter, mailerA, mailerB],
      emailFrom: 'Acme <no-reply@acme.example>',
    });
    redis.defer(() => harness.close());
  });

  const sendEmail = (extra: Parameters<WorkerHarness['send']>[0] = {}) =>
    harness.send({ channel: 'email', to: 'jane@example.com', ...extra });

  it('gives an email only to providers that serve email, with its part as accepted', async () => {
    const dkim = { domain: 'acme.example', selector: 's1', privateKey: dkimTestKey().privateKey };
    const id = await sendEmail({ email: { subject: 'Your Acme code', html: '<b>1</b>', dkim } });
    const record = await harness.waitFor(id);
    assert.deepEqual([record.status, record.provider], ['sent', 'mailer-a']);
    assert.equal(texter.sent.length, 0, 'the SMS provider never sees an email');
    const sent = mailerA.sent.find((m) => m.messageId === id);
    assert.deepEqual(sent?.email, {
      from: 'Acme <no-reply@acme.example>',
      subject: 'Your Acme code',
      html: '<b>1</b>',
      dkim,
    });
    assert.equal(record.to, 'j•••@example.com');
  });

  it('fails an email over to the next email provider when the first refuses it for good', async () => {
    mailerA.failNext('permanent');
    const id = await sendEmail();
    const record = await harness.waitFor(id);
    assert.deepEqual([record.status, record.provider], ['sent', 'mailer-b']);
    assert.equal(texter.calls.length, 0);
  });

  it('drops an email whose lifetime is over before it is sent', async () => {
    mailerA.failNext('rate_limited', { retryAfterSeconds: 5 });
    const id = await sendEmail({ ttlSeconds: 30 });
    await harness.waitFor(id, ['sending']);
    const job = await delayedJob(harness, id); // waiting out the pause
    await job.updateData({ ...job.data, expiresAt: Date.now() - 1 });
    await job.promote();
    const record = await harness.waitFor(id, ['expired'], 10_000);
    assert.equal(record.status, 'expired');
    assert.equal(mailerB.sent.filter((m) => m.messageId === id).length, 0, 'never sent late');
  });
});
