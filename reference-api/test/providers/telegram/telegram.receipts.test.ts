// Telegram Gateway delivery reports: only authentic, fresh reports move a message.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { IncomingHttpHeaders } from 'node:http';
import { ReceiptSignatureError, type WebhookRequest } from '../../../src/providers/receipts.js';
import {
  createGatewayReceiptHandler,
  gatewayReportSignature,
} from '../../../src/providers/telegram/telegram.gateway-receipts.js';
import { startTelegramGatewayFake, type TelegramGatewayFake } from './telegram.fake.js';

// Known answer, computed outside this code base by the documented algorithm:
//   KEY=$(printf '%s' "$TOKEN" | openssl dgst -sha256 -hex)
//   printf '%s\n%s' "$TS" "$BODY" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$KEY -hex
const TOKEN = '1234:gateway-test-token';
const TS = '1735689600';
const BODY =
  '{"request_id":"8f3a61c2d4b5e607","phone_number":"+5511966191717","request_cost":0.01,"delivery_status":{"status":"delivered","updated_at":1735689600}}';
const SIGNATURE = 'a3e4c355195a8a5bea683d48af944fad0207079c725d1fea8ba4503c4f26746f';
const AT_TS = () => Number(TS) * 1000 + 30_000; // the clock, frozen 30 s after the report

function request(body: string, headers: IncomingHttpHeaders): WebhookRequest {
  const params = (() => {
    try {
      return JSON.parse(body) as Record<string, unknown>;
    } catch {
      return {};
    }
  })();
  return {
    method: 'POST',
    url: 'https://sms.example.com/webhooks/telegram',
    headers: { 'content-type': 'application/json', ...headers },
    rawBody: Buffer.from(body),
    params,
  };
}

const signed = (body = BODY, ts = TS, signature = SIGNATURE) =>
  request(body, { 'x-request-timestamp': ts, 'x-request-signature': signature });
const handler = createGatewayReceiptHandler(TOKEN, AT_TS);

describe('Telegram Gateway delivery reports', () => {
  it('computes the documented signature (known answer)', () => {
    assert.equal(gatewayReportSignature(TOKEN, TS, Buffer.from(BODY)), SIGNATURE);
  });

  it('accepts an authentic report and maps it onto the request_id and a delivered status', () => {
    assert.deepEqual(handler.parse(signed()), [
      {
        providerMessageId: '8f3a61c2d4b5e607',
        status: 'delivered',
        at: new Date(Number(TS) * 1000),
      },
    ]);
  });

  it('accepts the signature in upper-case hex', () => {
    assert.equal(handler.parse(signed(BODY, TS, SIGNATURE.toUpperCase())).length, 1);
  });

  it('refuses a report whose body was altered', () => {
    const tampered = BODY.replace('delivered', 'read');
    assert.throws(() => handler.parse(signed(tampered)), ReceiptSignatureError);
  });

  it('refuses a report whose timestamp was altered', () => {
    assert.throws(() => handler.parse(signed(BODY, String(Number(TS) + 1))), ReceiptSignatureError);
  });

  it('refuses a report without a signature or without a timestamp', () => {
    assert.throws(() => handler.parse(request(BODY, {})), ReceiptSignatureError);
    assert.throws(
      () => handler.parse(request(BODY, { 'x-request-timestamp': TS })),
      ReceiptSignatureError,
    );
    assert.throws(
      () => handler.parse(request(BODY, { 'x-request-signature': SIGNATURE })),
      ReceiptSignatureError,
    );
  });

  it('refuses a report signed with another token', () => {
    const other = createGatewayReceiptHandler('1234:another-token', AT_TS);
    assert.throws(() => other.parse(signed()), ReceiptSignatureError);
  });

  it('refuses an authentic report older than five minutes, as a replay', () => {
    const later = createGatewayReceiptHandler(TOKEN, () => Number(TS) * 1000 + 301_000);
    assert.throws(
      () => later.parse(signed()),
      (err: unknown) => err instanceof ReceiptSignatureError && /stale/.test(err.message),
    );
  });

  it('refuses a report dated more than five minutes ahead of our clock', () => {
    const earlier = createGatewayReceiptHandler(TOKEN, () => Number(TS) * 1000 - 301_000);
    assert.throws(() => earlier.parse(signed()), ReceiptSignatureError);
  });

  it('refuses every report while no Gateway token is configured', () => {
    assert.throws(
      () => createGatewayReceiptHandler(undefined, AT_TS).parse(signed()),
      ReceiptSignatureError,
    );
  });

  it('moves nothing for an authentic report without a delivery status', () => {
    const body =
      '{"request_id":"8f3a61c2d4b5e607","phone_number":"+5511966191717","request_cost":0.01}';
    const signature = gatewayReportSignature(TOKEN, TS, Buffer.from(body));
    assert.deepEqual(handler.parse(signed(body, TS, signature)), []);
  });

  describe('with reports signed by the Gateway fake', () => {
    let fake: TelegramGatewayFake;
    let requestId: string;
    before(async () => {
      fake = await startTelegramGatewayFake();
      const res = await fetch(`${fake.url}/sendVerificationMessage`, {
        method: 'POST',
        headers: { authorization: `Bearer ${fake.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ phone_number: '+5511966191717', code: '482913', ttl: 300 }),
      });
      requestId = ((await res.json()) as { result: { request_id: string } }).result.request_id;
    });
    after(() => fake.close());

    const expected = [
      ['sent', 'sent'],
      ['delivered', 'delivered'],
      ['read', 'delivered'],
      ['expired', 'undelivered'],
      ['revoked', 'failed'],
    ] as const;
    for (const [gatewayStatus, ours] of expected) {
      it(`records a "${gatewayStatus}" report as ${ours}`, () => {
        const report = fake.report(requestId, gatewayStatus);
        const receipts = createGatewayReceiptHandler(fake.token).parse(
          request(report.body, report.headers),
        );
        assert.deepEqual(
          receipts.map((r) => [r.providerMessageId, r.status]),
          [[requestId, ours]],
        );
      });
    }
  });
});
