// Vonage delivery receipts: known-answer signatures computed outside this code base (Python hashlib/hmac
// over the documented string), then the tampered, unsigned and stale cases.
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { Vonage } from '@vonage/server-sdk';
import { ReceiptSignatureError, type WebhookRequest } from '../../../src/providers/receipts.js';
import { createVonageReceiptHandler } from '../../../src/providers/vonage/vonage.receipts.js';
import { computeSig, type SigMethod } from '../../../src/providers/vonage/vonage.signature.js';

const SECRET = 'Vn4g3-S1gnature-Secret';
const SIGNED_AT = 1582650446;
const NOW = SIGNED_AT * 1000 + 60_000;

/** A DLR as the spec's DeliveryReceipt example, signing enabled, with a client-ref holding `=` and `&`. */
const DLR: Readonly<Record<string, string>> = {
  msisdn: '447700900000',
  to: 'AcmeInc',
  'network-code': '12345',
  messageId: '0A0000001234567B',
  price: '0.03330000',
  status: 'delivered',
  scts: '2001011400',
  'err-code': '0',
  'api-key': 'abcd1234',
  'message-timestamp': '2020-01-01 12:00:00',
  timestamp: String(SIGNED_AT),
  nonce: 'ec11dd3e-1e7f-4db5-9467-82b02cd223b9',
  'client-ref': 'a=b&c',
};

const KNOWN_SIGS: Record<SigMethod, string> = {
  md5hash: '4f81355881764733a7f60528087c878b',
  md5hmac: '5d8f1fb36cb7be5eb99e710fedc34605',
  sha1hmac: '44ff033cde55955397ad9b50d779eea44ade53d2',
  sha256hmac: 'b6518a87108c6595ed348ec9503fd915c48e60572fe4582f9fa9b12921e0199b',
  sha512hmac:
    '84ba20e4b86ddc445d58c7d2f5f1dfad78b1af4bcd2357705ffa576ec7a8823cd07007d99fe2ce71e69bc3316da0b9ed0756d77713f1a8279ed2745a202430ea',
};

/** A Messages API status webhook body and its signed-webhook JWT (HS256, payload_hash = sha256(body)). */
const STATUS_BODY =
  '{"message_uuid":"aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab","to":"447700900000","from":"447700900001","timestamp":"2020-02-25T16:27:26.000Z","status":"rejected","channel":"whatsapp","error":{"type":"https://developer.nexmo.com/api-errors/messages#1340","title":1340,"detail":"Outside of the allowed window","instance":"bf0ca0bf927b3b52e3cb03217e1a1ddf"},"client_ref":"x"}';
const STATUS_JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE1ODI2NTA0NDYsImp0aSI6ImQ4ZjhhNTJmLWVlYmQtNGNiMi04ZGJmLWIyZTJmNGQ4YjRjNCIsImlzcyI6IlZvbmFnZSIsInBheWxvYWRfaGFzaCI6IjU2YWZmNDhlM2RiZDZjMmM2OTQ0YzkxZmVjZTdiOTIxN2Y1MjE1ZGQ0MzlkYzAwNWIwZmEzOTE4NjI4NWM1MWIiLCJhcGlfa2V5IjoiYWJjZDEyMzQiLCJhcHBsaWNhdGlvbl9pZCI6ImFhYWFhYWFhLWJiYmItY2NjYy1kZGRkLTAxMjM0NTY3ODlhYiJ9.pUPEIM2wOIEcxchlPv0VzJYHgrWIXuqNNs8C9GvVd4g';

// `null` stands for an unset secret (an `undefined` argument would take the default).
const handler = (now = NOW, secret: string | null = SECRET) =>
  createVonageReceiptHandler({ signatureSecret: secret ?? undefined, now: () => now });

function dlrRequest(params: Record<string, string>): WebhookRequest {
  const body = new URLSearchParams(params).toString();
  return {
    method: 'POST',
    url: 'https://sms.example.com/webhooks/vonage',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    rawBody: Buffer.from(body),
    params,
  };
}

function statusRequest(body: string, token: string | undefined): WebhookRequest {
  const headers = {
    'content-type': 'application/json',
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
  return {
    method: 'POST',
    url: 'https://sms.example.com/webhooks/vonage',
    headers,
    rawBody: Buffer.from(body),
    params: JSON.parse(body) as Record<string, unknown>,
  };
}

function jwt(
  claims: Record<string, unknown>,
  secret = SECRET,
  header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' },
): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signing = `${part(header)}.${part(claims)}`;
  return `${signing}.${createHmac('sha256', secret).update(signing).digest('base64url')}`;
}

const rejects = (fn: () => unknown) => assert.throws(fn, ReceiptSignatureError);

describe('Vonage SMS delivery receipts signed with sig', () => {
  for (const [method, sig] of Object.entries(KNOWN_SIGS)) {
    it(`accepts a receipt signed by ${method} and reports it delivered`, () => {
      const receipts = handler().parse(dlrRequest({ ...DLR, sig }));
      assert.deepEqual(receipts, [
        {
          providerMessageId: '0A0000001234567B',
          status: 'delivered',
          at: new Date('2020-01-01T12:00:00Z'),
        },
      ]);
    });
  }

  it('accepts the signature in upper case, as the spec example shows it', () => {
    assert.equal(
      handler().parse(dlrRequest({ ...DLR, sig: KNOWN_SIGS.sha256hmac.toUpperCase() })).length,
      1,
    );
  });

  it('computes the same signatures as @vonage/server-sdk does', () => {
    const sms = new Vonage({ apiKey: 'abcd1234', apiSecret: 'unused' }).sms;
    const sdkNames: Record<SigMethod, string> = {
      md5hash: 'MD5HASH',
      md5hmac: 'MD5HMAC',
      sha1hmac: 'SHA1HMAC',
      sha256hmac: 'SHA256HMAC',
      sha512hmac: 'SHA512HMAC',
    };
    for (const method of Object.keys(KNOWN_SIGS) as SigMethod[]) {
      assert.equal(computeSig(DLR, SECRET, method), KNOWN_SIGS[method], method);
      assert.ok(
        sms.verifySignature(KNOWN_SIGS[method], { ...DLR }, SECRET, sdkNames[method] as never),
        `the SDK agrees on ${method}`,
      );
    }
  });

  it('refuses a receipt whose status was changed after signing', () => {
    rejects(() =>
      handler().parse(dlrRequest({ ...DLR, status: 'failed', sig: KNOWN_SIGS.md5hash })),
    );
  });

  it('refuses a receipt with a parameter added after signing', () => {
    rejects(() =>
      handler().parse(
        dlrRequest({ ...DLR, 'err-code': '0', extra: '1', sig: KNOWN_SIGS.sha256hmac }),
      ),
    );
  });

  it('refuses a receipt signed with another secret', () => {
    rejects(() =>
      handler().parse(dlrRequest({ ...DLR, sig: computeSig(DLR, 'another-secret', 'sha256hmac') })),
    );
  });

  it('refuses an unsigned receipt', () => {
    assert.throws(() => handler().parse(dlrRequest({ ...DLR })), /unsigned/);
  });

  it('refuses a correctly signed receipt older than five minutes', () => {
    assert.throws(
      () =>
        handler(SIGNED_AT * 1000 + 301_000).parse(dlrRequest({ ...DLR, sig: KNOWN_SIGS.md5hash })),
      /stale/,
    );
  });

  it('refuses a correctly signed receipt dated more than five minutes ahead', () => {
    rejects(() =>
      handler(SIGNED_AT * 1000 - 301_000).parse(dlrRequest({ ...DLR, sig: KNOWN_SIGS.md5hash })),
    );
  });

  it('refuses a signed receipt that carries no timestamp', () => {
    const rest: Record<string, string> = { ...DLR };
    delete rest['timestamp'];
    rejects(() =>
      handler().parse(dlrRequest({ ...rest, sig: computeSig(rest, SECRET, 'md5hash') })),
    );
  });

  it('refuses every receipt when no signature secret is configured', () => {
    rejects(() => handler(NOW, null).parse(dlrRequest({ ...DLR, sig: KNOWN_SIGS.md5hash })));
  });

  const STATUS_TABLE: [string, string | undefined][] = [
    ['delivered', 'delivered'],
    ['accepted', 'sent'],
    ['buffered', 'sent'],
    ['expired', 'undelivered'],
    ['failed', 'failed'],
    ['rejected', 'failed'],
    ['unknown', undefined],
  ];
  for (const [vonage, ours] of STATUS_TABLE) {
    it(`maps a DLR status "${vonage}" to ${ours ?? 'no status change'}`, () => {
      const params = { ...DLR, status: vonage, 'err-code': vonage === 'delivered' ? '0' : '1' };
      const receipts = handler().parse(
        dlrRequest({ ...params, sig: computeSig(params, SECRET, 'md5hash') }),
      );
      assert.deepEqual(
        receipts.map((r) => r.status),
        ours ? [ours] : [],
      );
      if (ours && ours !== 'delivered') {
        assert.equal(receipts[0]!.errorCode, '1', 'err-code is kept');
      }
      if (ours === 'delivered') {
        assert.equal(receipts[0]!.errorCode, undefined, 'err-code 0 is no error');
      }
    });
  }
});

describe('Vonage Messages API status webhooks signed with a JWT', () => {
  it('accepts the known-answer webhook and reports the WhatsApp message failed with its error code', () => {
    const receipts = handler().parse(statusRequest(STATUS_BODY, STATUS_JWT));
    assert.deepEqual(receipts, [
      {
        providerMessageId: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab',
        status: 'failed',
        errorCode: '1340',
        at: new Date('2020-02-25T16:27:26.000Z'),
      },
    ]);
  });

  it('refuses a body changed after signing', () => {
    assert.throws(
      () =>
        handler().parse(statusRequest(STATUS_BODY.replace('rejected', 'delivered'), STATUS_JWT)),
      /body/,
    );
  });

  it('refuses a token signed with another secret', () => {
    const token = jwt(
      { iat: SIGNED_AT, payload_hash: createHash('sha256').update(STATUS_BODY).digest('hex') },
      'another-secret',
    );
    rejects(() => handler().parse(statusRequest(STATUS_BODY, token)));
  });

  it('refuses an unsigned token (alg none)', () => {
    const claims = {
      iat: SIGNED_AT,
      payload_hash: createHash('sha256').update(STATUS_BODY).digest('hex'),
    };
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    rejects(() =>
      handler().parse(statusRequest(STATUS_BODY, `${part({ alg: 'none' })}.${part(claims)}.`)),
    );
  });

  it('refuses a token with another algorithm in its header, even when the HMAC matches', () => {
    const token = jwt(
      { iat: SIGNED_AT, payload_hash: createHash('sha256').update(STATUS_BODY).digest('hex') },
      SECRET,
      { alg: 'HS512' },
    );
    rejects(() => handler().parse(statusRequest(STATUS_BODY, token)));
  });

  it('refuses a token issued more than five minutes ago', () => {
    assert.throws(
      () => handler(SIGNED_AT * 1000 + 301_000).parse(statusRequest(STATUS_BODY, STATUS_JWT)),
      /stale/,
    );
  });

  it('refuses a token without a payload hash', () => {
    rejects(() => handler().parse(statusRequest(STATUS_BODY, jwt({ iat: SIGNED_AT }))));
  });

  it('maps submitted, delivered, read and undeliverable onto our statuses', () => {
    const expected: Record<string, string> = {
      submitted: 'sent',
      delivered: 'delivered',
      read: 'delivered',
      undeliverable: 'undelivered',
    };
    for (const [vonage, ours] of Object.entries(expected)) {
      const body = JSON.stringify({
        message_uuid: 'm-1',
        status: vonage,
        timestamp: '2020-02-25T16:27:26Z',
        channel: 'whatsapp',
      });
      const token = jwt({
        iat: SIGNED_AT,
        payload_hash: createHash('sha256').update(body).digest('hex'),
      });
      assert.equal(handler().parse(statusRequest(body, token))[0]?.status, ours, vonage);
    }
  });
});
