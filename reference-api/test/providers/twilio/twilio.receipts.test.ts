// Twilio status callbacks: the X-Twilio-Signature check and the status mapping.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { ReceiptSignatureError, type WebhookRequest } from '../../../src/providers/receipts.js';
import {
  createTwilioReceiptHandler,
  twilioSignature,
} from '../../../src/providers/twilio/twilio.receipts.js';

const TOKEN = '2bd9e9638872de601313dc77410d3b23';
const URL = 'https://sms.example.com/webhooks/twilio';
const SID = 'SM0123456789abcdef0123456789abcdef';

// Twilio's documented example (TwilioDevEd/api-snippets, security/signature_validation): token, URL, params, signature.
const DOCUMENTED = {
  token: '12345',
  url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
  params: {
    CallSid: 'CA1234567890ABCDE',
    Caller: '+14158675310',
    Digits: '1234',
    From: '+14158675310',
    To: '+18005551212',
  },
  signature: 'GvWf1cFY/Q7PnoempGyD5oXAezc=',
};

// The documented algorithm, written out independently of the adapter.
function sign(token: string, url: string, params: Record<string, string>): string {
  const data =
    url +
    Object.keys(params)
      .sort()
      .map((k) => k + params[k])
      .join('');
  return createHmac('sha1', token).update(data).digest('base64');
}

function callback(
  params: Record<string, string>,
  options: { url?: string; signature?: string | null; body?: string } = {},
): WebhookRequest {
  const url = options.url ?? URL;
  const signature = options.signature === undefined ? sign(TOKEN, url, params) : options.signature;
  const body = options.body ?? new URLSearchParams(params).toString();
  return {
    method: 'POST',
    url,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(signature === null ? {} : { 'x-twilio-signature': signature }),
    },
    rawBody: Buffer.from(body),
    params: Object.fromEntries(new URLSearchParams(body)),
  };
}

const status = (MessageStatus: string, extra: Record<string, string> = {}) => ({
  AccountSid: 'AC0123456789abcdef0123456789abcdef',
  ApiVersion: '2010-04-01',
  From: '+15005550006',
  To: '+5511966191717',
  MessageSid: SID,
  MessageStatus,
  SmsSid: SID,
  SmsStatus: MessageStatus,
  ...extra,
});

const handler = createTwilioReceiptHandler(TOKEN);

describe('Twilio delivery receipts', () => {
  it("computes the signature of Twilio's documented example exactly", () => {
    assert.equal(
      twilioSignature(DOCUMENTED.token, DOCUMENTED.url, DOCUMENTED.params),
      DOCUMENTED.signature,
    );
  });

  it("accepts Twilio's documented example request as authentic", () => {
    const documented = createTwilioReceiptHandler(DOCUMENTED.token);
    const request = callback(DOCUMENTED.params, {
      url: DOCUMENTED.url,
      signature: DOCUMENTED.signature,
    });
    assert.deepEqual(
      documented.parse(request),
      [],
      'authentic, though a voice request carries no message status',
    );
  });

  it('marks a message delivered when a signed callback says so', () => {
    assert.deepEqual(handler.parse(callback(status('delivered'))), [
      { providerMessageId: SID, status: 'delivered' },
    ]);
  });

  it("maps Twilio's final statuses onto ours and keeps the error code", () => {
    assert.deepEqual(handler.parse(callback(status('sent'))), [
      { providerMessageId: SID, status: 'sent' },
    ]);
    assert.deepEqual(handler.parse(callback(status('undelivered', { ErrorCode: '30003' }))), [
      { providerMessageId: SID, status: 'undelivered', errorCode: '30003' },
    ]);
    assert.deepEqual(handler.parse(callback(status('failed', { ErrorCode: '30006' }))), [
      { providerMessageId: SID, status: 'failed', errorCode: '30006' },
    ]);
  });

  it('counts a WhatsApp read receipt as delivered', () => {
    assert.deepEqual(
      handler.parse(callback(status('read', { ChannelPrefix: 'whatsapp', EventType: 'READ' }))),
      [{ providerMessageId: SID, status: 'delivered' }],
    );
  });

  it('ignores statuses that say nothing final, such as queued, sending and accepted', () => {
    for (const s of ['queued', 'sending', 'accepted', 'scheduled', 'canceled']) {
      assert.deepEqual(handler.parse(callback(status(s))), [], s);
    }
  });

  it('rejects a callback without a signature', () => {
    assert.throws(
      () => handler.parse(callback(status('delivered'), { signature: null })),
      ReceiptSignatureError,
    );
  });

  it('rejects a callback whose status was changed after signing', () => {
    const signature = sign(TOKEN, URL, status('undelivered'));
    assert.throws(
      () => handler.parse(callback(status('delivered'), { signature })),
      ReceiptSignatureError,
    );
  });

  it('rejects a callback with an extra field that was not signed', () => {
    const signature = sign(TOKEN, URL, status('delivered'));
    assert.throws(
      () => handler.parse(callback(status('delivered', { ErrorCode: '30003' }), { signature })),
      ReceiptSignatureError,
    );
  });

  it('rejects a callback signed for another URL', () => {
    const signature = sign(TOKEN, 'https://attacker.example/webhooks/twilio', status('delivered'));
    assert.throws(
      () => handler.parse(callback(status('delivered'), { signature })),
      ReceiptSignatureError,
    );
  });

  it('rejects a callback signed with another auth token', () => {
    const signature = sign('another-token-0123456789abcdef01', URL, status('delivered'));
    assert.throws(
      () => handler.parse(callback(status('delivered'), { signature })),
      ReceiptSignatureError,
    );
  });

  it('rejects every callback when no auth token is configured to check them', () => {
    assert.throws(
      () => createTwilioReceiptHandler(undefined).parse(callback(status('delivered'))),
      ReceiptSignatureError,
    );
  });

  it('accepts a signature made over the URL with its standard port, as Twilio sometimes signs', () => {
    const signature = sign(
      TOKEN,
      'https://sms.example.com:443/webhooks/twilio',
      status('delivered'),
    );
    assert.deepEqual(handler.parse(callback(status('delivered'), { signature })), [
      { providerMessageId: SID, status: 'delivered' },
    ]);
  });

  it('signs over the query string of the callback URL too', () => {
    const url = `${URL}?tenant=acme`;
    assert.deepEqual(handler.parse(callback(status('delivered'), { url })), [
      { providerMessageId: SID, status: 'delivered' },
    ]);
    const signature = sign(TOKEN, URL, status('delivered'));
    assert.throws(
      () => handler.parse(callback(status('delivered'), { url, signature })),
      ReceiptSignatureError,
    );
  });

  it('signs each value of a repeated field, sorted', () => {
    const params = status('delivered');
    const body = `${new URLSearchParams(params).toString()}&Tag=b&Tag=a`;
    const data =
      URL +
      Object.keys({ ...params, Tag: '' })
        .sort()
        .map((k) => (k === 'Tag' ? 'TagaTagb' : k + params[k as keyof typeof params]))
        .join('');
    const signature = createHmac('sha1', TOKEN).update(data).digest('base64');
    assert.deepEqual(handler.parse(callback(params, { body, signature })), [
      { providerMessageId: SID, status: 'delivered' },
    ]);
  });
});
