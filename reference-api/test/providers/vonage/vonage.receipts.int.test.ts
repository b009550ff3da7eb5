// Vonage through the running service: SMS and WhatsApp sends against the fake, then signed receipts
// (an SMS DLR with `sig`, a Messages status webhook with a JWT) move the messages forward; forged ones get 401.
// Also the Messages API 429 + Retry-After case the SMS-only contract suite cannot express.
import assert from 'node:assert/strict';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { createLogger } from '@sms-mfa/common/logger';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { loadConfig } from '../../../src/config.js';
import type { MessageRecord, MessageStatus } from '../../../src/messages/message-status.js';
import { startReferenceApi, type RunningService } from '../../../src/service.js';
import { FAKE_VONAGE_ACCOUNT, startVonageFake, type VonageFake } from './vonage.fake.js';
import { scratchDir } from '../../support/worker-harness.js';

const SIGNATURE_SECRET = 'receipts-signature-secret-0123456789';

/** A DLR as Vonage posts it with signing on (default method md5hash), over the documented string. */
function signedDlr(
  messageId: string,
  status: string,
  extra: Record<string, string> = {},
): URLSearchParams {
  const params: Record<string, string> = {
    msisdn: '5511966191717',
    to: 'SmsMfa',
    'network-code': '72405',
    messageId,
    price: '0.03330000',
    status,
    scts: '2601011200',
    'err-code': '0',
    'api-key': FAKE_VONAGE_ACCOUNT.apiKey,
    'message-timestamp': new Date().toISOString().slice(0, 19).replace('T', ' '),
    timestamp: String(Math.floor(Date.now() / 1000)),
    nonce: randomBytes(16).toString('hex'),
    ...extra,
  };
  const signed = Object.keys(params)
    .sort()
    .map((k) => `&${k}=${params[k]!.replace(/[&=]/g, '_')}`)
    .join('');
  const sig = createHash('md5')
    .update(signed + SIGNATURE_SECRET)
    .digest('hex');
  return new URLSearchParams({ ...params, sig });
}

/** A Messages API status webhook and its `Authorization: Bearer` JWT (HS256, payload_hash of the body). */
function signedStatus(
  uuid: string,
  status: string,
  error?: object,
): { body: string; token: string } {
  const body = JSON.stringify({
    message_uuid: uuid,
    to: '5511966191717',
    from: '14157386102',
    channel: 'whatsapp',
    status,
    timestamp: new Date().toISOString(),
    ...(error ? { error } : {}),
  });
  const part = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const claims = {
    iat: Math.floor(Date.now() / 1000),
    jti: randomBytes(8).toString('hex'),
    iss: 'Vonage',
    api_key: FAKE_VONAGE_ACCOUNT.apiKey,
    payload_hash: createHash('sha256').update(body).digest('hex'),
  };
  const signing = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  const sig = createHmac('sha256', SIGNATURE_SECRET).update(signing).digest('base64url');
  return { body, token: `${signing}.${sig}` };
}

describe('Vonage through the reference API', () => {
  const redis = useRedis();
  let fake: VonageFake;
  let service: RunningService;
  before(async () => {
    fake = await startVonageFake();
    const config = loadConfig({
      PROVIDERS: 'vonage',
      ...redis.env,
      REFERENCE_API_PORT: '0',
      PUBLIC_BASE_URL: 'https://sms.example.test',
      DATA_DIR: scratchDir(),
      RETRY_BASE_DELAY_MS: '20',
      MESSAGE_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      VONAGE_REST_HOST: fake.url,
      VONAGE_API_HOST: fake.url,
      VONAGE_API_KEY: FAKE_VONAGE_ACCOUNT.apiKey,
      VONAGE_API_SECRET: FAKE_VONAGE_ACCOUNT.apiSecret,
      VONAGE_FROM: 'SmsMfa',
      VONAGE_SIGNATURE_SECRET: SIGNATURE_SECRET,
      VONAGE_WHATSAPP_FROM: '14157386102',
      VONAGE_WHATSAPP_TEMPLATE: 'otp_auth',
    });
    service = await startReferenceApi(config, { logger: createLogger('test', 'silent') });
    redis.defer(async () => {
      await service.close();
      await fake.close();
    });
  });

  async function record(id: string): Promise<MessageRecord> {
    return (await (await fetch(`${service.url}/v1/messages/${id}`)).json()) as MessageRecord;
  }

  async function waitFor(
    id: string,
    status: MessageStatus,
    timeoutMs = 10_000,
  ): Promise<MessageRecord> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = await record(id);
      if (current.status === status) {
        return current;
      }
      if (Date.now() > deadline) {
        throw new Error(`message ${id} is ${current.status}, not ${status}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async function sendOne(
    channel: 'sms' | 'whatsapp' = 'sms',
  ): Promise<{ id: string; providerId: string }> {
    const res = await fetch(`${service.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: '+5511966191717', code: '482913', channel }),
    });
    assert.equal(res.status, 202);
    const { id } = (await res.json()) as { id: string };
    const sent = await waitFor(id, 'sent');
    assert.ok(sent.providerMessageId);
    return { id, providerId: sent.providerMessageId };
  }

  const postForm = (form: URLSearchParams) =>
    fetch(`${service.url}/webhooks/vonage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });

  it('asks Vonage to post delivery receipts to our public webhook', async () => {
    fake.requests.length = 0;
    await sendOne();
    const body = fake.requests.find((r) => r.url === '/sms/json')?.body as Record<string, unknown>;
    assert.equal(body['callback'], 'https://sms.example.test/webhooks/vonage');
  });

  it('marks an SMS delivered when a signed delivery receipt says so', async () => {
    const { id, providerId } = await sendOne();
    assert.equal((await postForm(signedDlr(providerId, 'delivered'))).status, 200);
    assert.equal((await waitFor(id, 'delivered')).provider, 'vonage');
  });

  it('reads a signed receipt sent as a GET query string too', async () => {
    const { id, providerId } = await sendOne();
    const query = signedDlr(providerId, 'expired', { 'err-code': '5' });
    assert.equal((await fetch(`${service.url}/webhooks/vonage?${query}`)).status, 200);
    assert.equal((await waitFor(id, 'undelivered')).errorCode, '5');
  });

  it('refuses a forged or unsigned receipt with 401 and leaves the message as it was', async () => {
    const { id, providerId } = await sendOne();
    const forged = signedDlr(providerId, 'failed');
    forged.set('status', 'delivered');
    assert.equal((await postForm(forged)).status, 401);
    const unsigned = signedDlr(providerId, 'delivered');
    unsigned.delete('sig');
    assert.equal((await postForm(unsigned)).status, 401);
    assert.equal((await record(id)).status, 'sent');
  });

  it('marks a WhatsApp message failed, with its error code, from a JWT-signed status webhook', async () => {
    const { id, providerId } = await sendOne('whatsapp');
    const error = { type: 'https://developer.nexmo.com/api-errors/messages#1340', title: 1340 };
    const { body, token } = signedStatus(providerId, 'rejected', error);
    const res = await fetch(`${service.url}/webhooks/vonage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    });
    assert.equal(res.status, 200);
    assert.equal((await waitFor(id, 'failed')).errorCode, '1340');
  });

  it('pauses WhatsApp for the Retry-After of a 429 without spending an attempt', async () => {
    fake.requests.length = 0;
    fake.failNext('rate_limited', { retryAfterSeconds: 1 });
    const { id } = await sendOne('whatsapp');
    const [first, second] = fake.requests.filter((r) => r.url === '/v1/messages');
    assert.ok(first && second, 'tried twice');
    assert.ok(second.at - first.at >= 900, `waited ${second.at - first.at} ms for a 1 s hint`);
    const history = (await record(id)).history.map((h) => h.event);
    assert.equal(history.includes('attempt_failed'), false, 'no attempt was spent');
  });
});
