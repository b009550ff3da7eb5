// A Twilio status callback, signed as Twilio signs it, moves a message forward through the running service.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { createLogger } from '@sms-mfa/common/logger';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { loadConfig } from '../../../src/config.js';
import type { MessageRecord, MessageStatus } from '../../../src/messages/message-status.js';
import { startReferenceApi, type RunningService } from '../../../src/service.js';
import { startTwilioFake, type TwilioFake } from './twilio.fake.js';

const ACCOUNT_SID = 'AC0123456789abcdef0123456789abcdef';
const AUTH_TOKEN = 'receipts-auth-token-0123456789ab';
const PUBLIC_BASE_URL = 'https://sms.example.test';

describe('Twilio delivery receipts through the reference API', () => {
  const redis = useRedis();
  let fake: TwilioFake;
  let service: RunningService;
  before(async () => {
    fake = await startTwilioFake({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN });
    const config = loadConfig({
      PROVIDERS: 'twilio',
      ...redis.env,
      REFERENCE_API_PORT: '0',
      PUBLIC_BASE_URL,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'sms-mfa-')),
      MESSAGE_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      TWILIO_BASE_URL: fake.url,
      TWILIO_ACCOUNT_SID: ACCOUNT_SID,
      TWILIO_AUTH_TOKEN: AUTH_TOKEN,
      TWILIO_FROM: '+15005550006',
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

  async function waitFor(id: string, status: MessageStatus): Promise<MessageRecord> {
    const deadline = Date.now() + 10_000;
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

  async function sendOne(): Promise<{ id: string; sid: string }> {
    const res = await fetch(`${service.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: '+5511966191717', code: '482913' }),
    });
    const { id } = (await res.json()) as { id: string };
    const sent = await waitFor(id, 'sent');
    assert.ok(sent.providerMessageId);
    return { id, sid: sent.providerMessageId };
  }

  // Twilio posts to the public URL; the test reaches the same route on the service's own address.
  const post = (callback: { headers: Record<string, string>; body: string }) =>
    fetch(`${service.url}/webhooks/twilio`, {
      method: 'POST',
      headers: callback.headers,
      body: callback.body,
    });

  it('marks a sent message delivered when Twilio reports it delivered', async () => {
    const { id, sid } = await sendOne();
    const callback = fake.statusCallback(sid, 'delivered');
    assert.equal(callback.url, `${PUBLIC_BASE_URL}/webhooks/twilio`);
    assert.equal((await post(callback)).status, 200);
    assert.equal((await waitFor(id, 'delivered')).provider, 'twilio');
  });

  it("records Twilio's error code when the message could not be delivered", async () => {
    const { id, sid } = await sendOne();
    assert.equal(
      (await post(fake.statusCallback(sid, 'undelivered', { ErrorCode: '30003' }))).status,
      200,
    );
    assert.equal((await waitFor(id, 'undelivered')).errorCode, '30003');
  });

  it('refuses a forged receipt with 401 and leaves the message as it was', async () => {
    const { id, sid } = await sendOne();
    const genuine = fake.statusCallback(sid, 'failed', { ErrorCode: '30006' });
    const forged = { headers: genuine.headers, body: genuine.body.replace('failed', 'delivered') };
    assert.equal((await post(forged)).status, 401);
    const unsigned = { 'content-type': 'application/x-www-form-urlencoded' };
    assert.equal((await post({ headers: unsigned, body: genuine.body })).status, 401);
    assert.equal((await record(id)).status, 'sent');
  });
});
