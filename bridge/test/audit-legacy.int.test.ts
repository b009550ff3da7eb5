import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { AuditLog } from '../src/audit/audit-log.js';
import { KeyLayout } from '../src/otp/key-layout.js';

const PREFIX = '{mfa}';
const legacy = new KeyLayout(PREFIX).legacyAudit();

describe('the audit stream of earlier versions', () => {
  const redis = useRedis();

  const record = async (audit: AuditLog, n: number) => {
    for (let i = 0; i < n; i++) {
      await audit.record({
        type: 'issued',
        application: `app-${i % 5}`,
        authId: randomUUID(),
        outcome: 'success',
      });
    }
  };

  it('keeps only its newest events that fit the cap beside the shards, and goes once the shards fill it', async () => {
    const client = redis.client();
    for (let i = 1; i <= 50; i++) {
      await client.xadd(
        legacy,
        `1-${i}`,
        'type',
        'issued',
        'application',
        'old',
        'outcome',
        'success',
        'at',
        '2026-01-01T00:00:00.000Z',
      );
    }
    const audit = new AuditLog(client, PREFIX);
    await record(audit, 20);

    assert.equal(await audit.trimLegacy(30), 10);
    const ids = (await client.xrange(legacy, '-', '+')).map(([id]) => id);
    assert.deepEqual(
      ids,
      Array.from({ length: 10 }, (_, i) => `1-${41 + i}`),
      'the newest ten stay',
    );
    const page = await audit.page(undefined, 100);
    assert.equal(page.events.length, 30, 'the trail reads 20 new events and the 10 old ones left');
    assert.deepEqual(
      page.events.slice(20).map((e) => e.application),
      Array(10).fill('old'),
    );

    await record(audit, 15);
    assert.equal(await audit.trimLegacy(30), 0);
    assert.equal(
      await client.exists(legacy),
      0,
      'the shards alone fill the cap: the old stream is gone',
    );
    assert.equal((await audit.page(undefined, 100)).events.length, 35);
  });

  it('creates nothing when there is no old stream', async () => {
    const client = redis.client();
    await client.del(legacy);
    assert.equal(await new AuditLog(client, PREFIX).trimLegacy(), 0);
    assert.equal(await client.exists(legacy), 0);
  });
});
