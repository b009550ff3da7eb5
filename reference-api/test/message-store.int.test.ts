import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { openTarget } from '@sms-mfa/tests/support/redis-target';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { MessageStore } from '../src/messages/message-store.js';

describe('message status records', () => {
  const redis = useRedis();
  let store: MessageStore;
  before(() => {
    const connection = openTarget(redis.url);
    store = new MessageStore(connection, '{st}', 3600);
    redis.defer(() => connection.disconnect());
  });

  const create = (id: string) =>
    store.create({
      id,
      channel: 'sms',
      to: '+5511966191717',
      clientRef: undefined,
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 60_000),
    });

  it('moves forward through queued, sending, sent and delivered, keeping each step in the history', async () => {
    await create('m1');
    assert.equal(await store.apply('m1', 'sending', { provider: 'twilio' }), 'applied');
    assert.equal(
      await store.apply('m1', 'sent', { provider: 'twilio', providerMessageId: 'SM1' }),
      'applied',
    );
    assert.equal(await store.apply('m1', 'delivered', { provider: 'twilio' }), 'applied');
    const record = await store.get('m1');
    assert.equal(record?.status, 'delivered');
    assert.deepEqual(
      record?.history.map((h) => h.event),
      ['queued', 'sending', 'sent', 'delivered'],
    );
  });

  it('records a send and indexes its provider id in one step, so a receipt finds the message for as long as its record lives', async () => {
    await create('m5');
    await store.apply('m5', 'sending', { provider: 'twilio' });
    assert.equal(await store.recordSent('m5', 'twilio', 'SM5'), 'applied');
    assert.equal(await store.findByProviderId('twilio', 'SM5'), 'm5');
    assert.equal((await store.get('m5'))?.providerMessageId, 'SM5');
    const connection = openTarget(redis.url);
    redis.defer(() => connection.disconnect());
    const [recordTtl, indexTtl] = await Promise.all([
      connection.pttl('{st}:msg:m5'),
      connection.pttl('{st}:pmid:twilio:SM5'),
    ]);
    assert.ok(indexTtl > 0 && Math.abs(recordTtl - indexTtl) < 1000, `${recordTtl} vs ${indexTtl}`);
    assert.equal(await store.recordSent('missing', 'twilio', 'SM6'), 'missing');
    assert.equal(await store.findByProviderId('twilio', 'SM6'), undefined);
  });

  it('never moves a message backwards when receipts arrive out of order', async () => {
    await create('m2');
    await store.apply('m2', 'sending', { provider: 'vonage' });
    assert.equal(
      await store.apply('m2', 'delivered', { provider: 'vonage' }),
      'applied',
      'the delivery receipt overtook the worker',
    );
    assert.equal(
      await store.apply('m2', 'sent', { provider: 'vonage', providerMessageId: 'X' }),
      'ignored',
    );
    assert.equal(
      await store.apply('m2', 'undelivered', { provider: 'vonage', errorCode: '5' }),
      'ignored',
      'a final state is final',
    );
    assert.equal((await store.get('m2'))?.status, 'delivered');
  });

  it('records a failed try without changing the status, and none after the message was sent', async () => {
    await create('m3');
    assert.equal(
      await store.apply('m3', 'attempt_failed', { provider: 'twilio', reason: 'circuit open' }),
      'applied',
    );
    assert.equal((await store.get('m3'))?.status, 'queued');
    await store.apply('m3', 'sending', { provider: 'vonage' });
    await store.apply('m3', 'sent', { provider: 'vonage', providerMessageId: 'V1' });
    assert.equal(await store.apply('m3', 'attempt_failed', { provider: 'vonage' }), 'ignored');
    assert.equal(
      await store.apply('m3', 'sending', { provider: 'vonage' }),
      'ignored',
      'a sent message is never sent again',
    );
  });

  it('says when there is no such record', async () => {
    assert.equal(await store.apply('nope', 'sent'), 'missing');
  });
});
