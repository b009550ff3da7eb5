// The logs of a whole sign-in, read the way an operator reads them: the bridge, the reference API and
// its worker as the real processes `npm start` runs, against a real Redis.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { outboxReader } from '../support/outbox-reader.js';
import { startProcess, type Started } from '../support/processes.js';
import { useRedis } from '../support/redis-harness.js';

const CLIENT = { id: 'log-app', secret: 'log-app-secret-5f2c9e41d7' };
const WRONG_SECRET = 'not-the-secret-8d13aa02';
const SIGN_IN_PHONE = '+5511966191717';
const QRIAR_PHONE = '+5511987654321';
const QRIAR_TEXT = 'Your SMS code is 482913 and is valid for 5 minutes.';
const LISTENING = /"url":"http:\/\/(?:127\.0\.0\.1|localhost):(\d+)"/;

interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly service: string;
  readonly timestamp: string;
  readonly requestId?: string;
  readonly messageId?: string;
  readonly [field: string]: unknown;
}

describe('logs across the bridge, the reference API and its worker', () => {
  const redis = useRedis();
  const dataDir = mkdtempSync(join(tmpdir(), 'sms-mfa-logs-'));
  let reference: Started;
  let bridge: Started;
  const secrets: string[] = [CLIENT.secret, WRONG_SECRET, QRIAR_TEXT, '482913'];
  let lines: LogLine[] = [];
  let raw = '';

  before(async () => {
    reference = await startProcess(
      'reference-api/src/start.ts',
      ['--role', 'all'],
      {
        ...redis.env,
        REFERENCE_API_PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'debug',
        PROVIDERS: 'outbox',
      },
      LISTENING,
    );
    const referenceUrl = `http://127.0.0.1:${reference.port}`;
    bridge = await startProcess(
      'bridge/src/start.ts',
      [],
      {
        ...redis.env,
        BRIDGE_PORT: '0',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'debug',
        REFERENCE_API_URL: referenceUrl,
        BRIDGE_DEMO_CLIENT_ID: CLIENT.id,
        BRIDGE_DEMO_CLIENT_SECRET: CLIENT.secret,
        BRIDGE_DEMO_ENABLED: 'false',
      },
      LISTENING,
    );
    const base = `http://127.0.0.1:${bridge.port}`;
    const token = async (secret: string) =>
      fetch(`${base}/realms/mfa/protocol/openid-connect/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${CLIENT.id}:${secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
    assert.equal((await token(WRONG_SECRET)).status, 401);
    const accessToken = ((await (await token(CLIENT.secret)).json()) as { access_token: string })
      .access_token;
    secrets.push(accessToken);
    const api = (path: string, requestId: string, body: object) =>
      fetch(`${base}/ciam-mfa/v2/deviceAuthentications${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${accessToken}`,
          'content-type': 'application/json',
          'x-request-id': requestId,
        },
        body: JSON.stringify(body),
      });

    const started = await api('', 'trace-sign-in-1', {
      userName: 'jdoe',
      phoneNumber: SIGN_IN_PHONE,
      deviceType: 'sms',
    });
    assert.equal(started.status, 201);
    const { authId } = (await started.json()) as { authId: string };
    const code = await outboxReader(referenceUrl).codeSentTo(SIGN_IN_PHONE);
    secrets.push(code);
    const wrong = String((Number(code) + 1) % 10 ** code.length).padStart(code.length, '0');
    assert.notEqual(
      (await api(`/${authId}`, 'trace-validate-1', { otp: wrong, deviceType: 'SMS' })).status,
      200,
    );
    assert.equal(
      (await api(`/${authId}`, 'trace-validate-2', { otp: code, deviceType: 'SMS' })).status,
      200,
    );

    const qriar = await fetch(`${referenceUrl}/api/sms`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-qriar-1' },
      body: JSON.stringify({ mobile: QRIAR_PHONE, totp: QRIAR_TEXT, used: false }, null, 2),
    });
    assert.equal(qriar.status, 202);

    // Both messages sent: their worker lines are the last to be written.
    for (let i = 0; i < 400 && (raw.match(/"message sent"/g) ?? []).length < 2; i++) {
      await sleep(25);
      raw = reference.output() + bridge.output();
    }
    raw = reference.output() + bridge.output();
    lines = raw
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as LogLine);
  });

  // Deferred to the Redis harness, so the services stop before their Redis does.
  redis.defer(async () => {
    await Promise.all([bridge?.stop(), reference?.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes every line as JSON with a level, a message, the service and a time', () => {
    assert.ok(lines.length >= 5, raw);
    for (const line of lines) {
      assert.match(line.level, /^(error|warn|info|debug)$/);
      assert.equal(typeof line.message, 'string');
      assert.match(line.service, /^(bridge|reference-api)$/);
      assert.ok(!Number.isNaN(Date.parse(line.timestamp)), line.timestamp);
    }
  });

  it("follows one sign-in under the caller's request id from the bridge through the reference API to the worker's send", () => {
    const traced = lines.filter((line) => line.requestId === 'trace-sign-in-1');
    const where = traced.map((line) => `${line.service}: ${line.message}`);
    assert.ok(where.includes('bridge: code sent'), where.join('\n'));
    assert.ok(where.includes('reference-api: message queued'), where.join('\n'));
    assert.ok(where.includes('reference-api: message sent'), where.join('\n'));
    const sent = traced.find((line) => line.message === 'message sent')!;
    assert.equal(sent['provider'], 'outbox');
    assert.equal(typeof sent.messageId, 'string');
    const queued = traced.find((line) => line.message === 'message queued')!;
    assert.equal(queued.messageId, sent.messageId);
  });

  it('traces a QriarLabs request to its send line the same way', () => {
    const traced = lines
      .filter((line) => line.requestId === 'trace-qriar-1')
      .map((line) => line.message);
    assert.deepEqual(traced, ['message queued', 'message sent']);
  });

  it('logs the refused client by its id, and every line about a message carries a request id', () => {
    const refused = lines.find((line) => line.message === 'client authentication failed');
    assert.equal(refused?.['clientId'], CLIENT.id);
    for (const line of lines.filter((l) => l.messageId !== undefined)) {
      assert.ok(line.requestId, `${line.message} has no request id`);
    }
  });

  it('never logs a code, a message text, a full phone number, a client secret or a token', () => {
    assert.ok(secrets.length >= 6);
    for (const secret of secrets) {
      assert.equal(raw.includes(secret), false, `the logs contain ${secret.slice(0, 4)}…`);
    }
    for (const phone of [SIGN_IN_PHONE, QRIAR_PHONE]) {
      const digits = phone.slice(1);
      for (const form of [digits, digits.slice(2), digits.slice(4)]) {
        assert.equal(
          raw.includes(form),
          false,
          `the logs contain the number ${phone.slice(0, 5)}… as ${form.length} digits`,
        );
      }
    }
    const masked = lines
      .filter((line) => line['to'] !== undefined)
      .map((line) => String(line['to']));
    assert.ok(masked.length >= 2, 'the lines about a send name the masked number');
    for (const to of masked) {
      assert.match(to, /^\+\d{2}\*+\d{3}$/);
    }
  });
});
