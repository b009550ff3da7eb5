// The Event Webhook signature, checked against the example SendGrid publishes with its own library
// (sendgrid-nodejs, packages/eventwebhook: a P-256 key, a signed payload and its timestamp), and the
// events a verified batch turns into.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isSendGridPublicKey,
  sendGridPublicKey,
  verifySendGridSignature,
} from '../../../src/providers/sendgrid/sendgrid.signature.js';
import { sendGridReceiptOf } from '../../../src/providers/sendgrid/sendgrid.receipts.js';

const PUBLIC_KEY =
  'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEEDr2LjtURuePQzplybdC+u4CwrqDqBaWjcMMsTbhdbcwHBcepxo7yAQGhHPTnlvFYPAZFceEu/1FwCM/QmGUhA==';
const SIGNATURE =
  'MEUCIQCtIHJeH93Y+qpYeWrySphQgpNGNr/U+UyUlBkU6n7RAwIgJTz2C+8a8xonZGi6BpSzoQsbVRamr2nlxFDWYNH2j/0=';
const TIMESTAMP = '1588788367';
const PAYLOAD = JSON.stringify({
  category: 'example_payload',
  event: 'test_event',
  message_id: 'message_id',
});

describe('SendGrid Event Webhook signatures', () => {
  const key = sendGridPublicKey(PUBLIC_KEY);

  it("verifies SendGrid's own published example", () => {
    assert.equal(verifySendGridSignature(key, TIMESTAMP, Buffer.from(PAYLOAD), SIGNATURE), true);
  });

  it('rejects it once the payload, the timestamp or the signature is changed', () => {
    assert.equal(verifySendGridSignature(key, TIMESTAMP, Buffer.from('payload'), SIGNATURE), false);
    assert.equal(
      verifySendGridSignature(key, '1588788368', Buffer.from(PAYLOAD), SIGNATURE),
      false,
    );
    const altered = SIGNATURE.replace('NH2j', 'NH3j');
    assert.equal(verifySendGridSignature(key, TIMESTAMP, Buffer.from(PAYLOAD), altered), false);
    assert.equal(
      verifySendGridSignature(key, TIMESTAMP, Buffer.from(PAYLOAD), 'not base64!'),
      false,
    );
  });

  it('reads the key as the console shows it (base64 DER), and refuses anything else', () => {
    assert.equal(isSendGridPublicKey(PUBLIC_KEY), true);
    assert.equal(isSendGridPublicKey('MFkwEwYHKoZIzj0CAQYI'), false);
    assert.equal(isSendGridPublicKey('not a key'), false);
  });
});

describe('SendGrid events', () => {
  const base = { sg_message_id: 'W86EgYT6SQKk0lRflfLRsA.recvd-abc-1-0', timestamp: 1_700_000_000 };

  it('maps delivered, bounce and dropped onto delivered, undelivered and failed', () => {
    assert.equal(sendGridReceiptOf({ ...base, event: 'delivered' })?.status, 'delivered');
    assert.deepEqual(sendGridReceiptOf({ ...base, event: 'bounce', status: '5.1.1' }), {
      providerMessageId: 'W86EgYT6SQKk0lRflfLRsA',
      status: 'undelivered',
      errorCode: '5.1.1',
      at: new Date(1_700_000_000_000),
    });
    assert.equal(sendGridReceiptOf({ ...base, event: 'dropped' })?.status, 'failed');
  });

  it('takes the X-Message-Id from the front of sg_message_id, and our id from the custom argument', () => {
    const receipt = sendGridReceiptOf({ ...base, event: 'delivered', messageId: 'ours' });
    assert.deepEqual(
      [receipt?.providerMessageId, receipt?.messageId],
      ['W86EgYT6SQKk0lRflfLRsA', 'ours'],
    );
  });

  it('reports nothing for events that say nothing final', () => {
    for (const event of ['processed', 'deferred', 'open', 'click', 'spamreport']) {
      assert.equal(sendGridReceiptOf({ ...base, event }), undefined, event);
    }
  });
});
