// The email channel of POST /v1/messages through the whole service and the dev outbox: defaults,
// masking, idempotency, sealing, and every refusal naming its field.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { before, beforeEach, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { dkimTestKey } from './support/dkim-key.js';
import { eventually, postJson, startApi } from './support/api-harness.js';

const FROM = 'Acme <no-reply@acme.example>';

interface OutboxEmail {
  to: string;
  text: string;
  from?: string;
  subject?: string;
  html?: string;
  dkimDomain?: string;
  messageId: string;
}

/** Reads a message's status record. */
async function record(url: string, id: string): Promise<Record<string, any>> {
  return (await (await fetch(`${url}/v1/messages/${id}`)).json()) as Record<string, any>;
}

describe('email through the reference API and the dev outbox', () => {
  const redis = useRedis();
  let url: string;
  before(async () => {
    // The outbox takes a moment per message, so a test can look at Redis while a send is in flight.
    const api = await startApi(redis.url, { EMAIL_FROM: FROM, OUTBOX_DELAY_MS: '150' });
    url = api.url;
    redis.defer(() => api.close());
  });
  beforeEach(async () => {
    await redis.client().del('{smsmfa}:outbox');
  });

  const outbox = async (to = '') =>
    (await (
      await fetch(`${url}/dev/outbox${to ? `?to=${encodeURIComponent(to)}` : ''}`)
    ).json()) as OutboxEmail[];
  const sent = async (id: string) =>
    eventually(async () => {
      const r = await record(url, id);
      return r.status === 'sent' ? r : undefined;
    });

  it('sends a code by email with the default template and sender, and records a masked address', async () => {
    const res = await postJson(`${url}/v1/messages`, {
      channel: 'email',
      to: 'Jane.Doe@Example.COM',
      code: '482913',
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const status = await sent(res.body.id);
    assert.equal(status.to, 'J•••@example.com');
    assert.equal(status.channel, 'email');
    assert.deepEqual(
      status.history.map((h: { event: string }) => h.event),
      ['queued', 'sending', 'sent'],
    );
    // The domain was lower-cased when queued, and is when filtering.
    const [entry] = await outbox('Jane.Doe@EXAMPLE.com');
    assert.deepEqual(
      { to: entry?.to, from: entry?.from, subject: entry?.subject },
      { to: 'Jane.Doe@example.com', from: FROM, subject: 'Your verification code' },
    );
    assert.equal(
      entry?.text,
      'Your verification code is 482913. It expires in 5 minutes. Do not share it with anyone.',
    );
  });

  it("uses the caller's sender, subject and HTML, and the template's subject in the message's language otherwise", async () => {
    const custom = await postJson(`${url}/v1/messages`, {
      channel: 'email',
      to: 'jane@example.com',
      text: 'Your Acme code is 123456. It expires in 5 minutes.',
      email: {
        from: '"Acme, Inc." <security@acme.example>',
        subject: 'Your Acme code',
        html: '<p>Your Acme code is <b>123456</b></p>',
      },
    });
    const portuguese = await postJson(`${url}/v1/messages`, {
      channel: 'email',
      to: 'joao@example.com',
      code: '654321',
      locale: 'pt-BR',
    });
    await Promise.all([sent(custom.body.id), sent(portuguese.body.id)]);
    const [jane] = await outbox('jane@example.com');
    assert.deepEqual(
      { from: jane?.from, subject: jane?.subject, html: jane?.html },
      {
        from: '"Acme, Inc." <security@acme.example>',
        subject: 'Your Acme code',
        html: '<p>Your Acme code is <b>123456</b></p>',
      },
    );
    const [joao] = await outbox('joao@example.com');
    assert.equal(joao?.subject, 'Seu código de verificação');
    assert.match(joao?.text ?? '', /^Seu código de verificação é 654321\./);
  });

  it('returns the first email for a retried request with the same Idempotency-Key and sends once', async () => {
    const body = { channel: 'email', to: 'jane@example.com', code: '445566' };
    const first = await postJson(`${url}/v1/messages`, body, { 'Idempotency-Key': 'mail-1' });
    const second = await postJson(`${url}/v1/messages`, body, { 'Idempotency-Key': 'mail-1' });
    assert.deepEqual([first.status, second.status], [202, 200]);
    assert.equal(second.body.id, first.body.id);
    await sent(first.body.id);
    assert.equal((await outbox('jane@example.com')).length, 1);
  });

  it('keeps the text, the code, the address and the DKIM key out of Redis: sealed while queued, gone once sent', async () => {
    const key = dkimTestKey();
    const keyBody = key.privateKey.split('\n')[5]!;
    const res = await postJson(`${url}/v1/messages`, {
      channel: 'email',
      to: 'secret.person@example.com',
      text: 'Your Acme code is 918273.',
      email: { dkim: { domain: 'acme.example', selector: 's1', privateKey: key.privateKey } },
    });
    assert.equal(res.status, 202, JSON.stringify(res.body));
    const secrets = ['918273', 'secret.person', keyBody];
    const assertClean = async (when: string) => {
      const keys = (await redis.keys('{smsmfa}:*')).filter((k) => k !== '{smsmfa}:outbox');
      for (const name of keys) {
        const dump = await dumpKey(redis.client(), name);
        for (const secret of secrets) {
          assert.equal(dump.includes(secret), false, `${when}: ${name} holds ${secret}`);
        }
      }
    };
    await assertClean('while queued');
    await sent(res.body.id);
    await assertClean('once sent');
    const [entry] = await outbox('secret.person@example.com');
    assert.equal(entry?.dkimDomain, 'acme.example', 'the outbox shows the signing domain');
    assert.equal(JSON.stringify(entry).includes(keyBody), false, 'and never the key');
  });
});

/** The value of any Redis key as text, whatever its type. */
async function dumpKey(client: ReturnType<ReturnType<typeof useRedis>['client']>, name: string) {
  switch (await client.type(name)) {
    case 'string':
      return (await client.get(name)) ?? '';
    case 'hash':
      return JSON.stringify(await client.hgetall(name));
    case 'list':
      return JSON.stringify(await client.lrange(name, 0, -1));
    case 'zset':
      return JSON.stringify(await client.zrange(name, 0, -1));
    case 'set':
      return JSON.stringify(await client.smembers(name));
    case 'stream':
      return JSON.stringify(await client.xrange(name, '-', '+'));
    default:
      return '';
  }
}

describe('bad email requests get a 400 naming the field, and nothing is queued', () => {
  const redis = useRedis();
  let url: string;
  before(async () => {
    // No EMAIL_FROM here: an email must name its sender.
    const api = await startApi(redis.url);
    url = api.url;
    redis.defer(() => api.close());
  });

  const expectInvalid = async (body: Record<string, unknown>, field: string) => {
    const res = await postJson(`${url}/v1/messages`, body);
    assert.equal(res.status, 400, JSON.stringify(res.body));
    assert.equal(res.body.code, 'INVALID_REQUEST');
    assert.ok(
      res.body.details?.some((d: { field: string }) => d.field === field),
      `details name ${field}: ${JSON.stringify(res.body.details)}`,
    );
  };
  const email = (extra: Record<string, unknown>) => ({
    channel: 'email',
    to: 'jane@example.com',
    code: '123456',
    email: { from: FROM, ...extra },
  });

  it('refuses an address that is not one, or is over 254 characters, naming to', async () => {
    for (const to of ['jane', 'jane@', 'jane doe@example.com', '+5511966191717']) {
      await expectInvalid({ ...email({}), to }, 'to');
    }
    await expectInvalid({ ...email({}), to: `${'a'.repeat(64)}@${'b'.repeat(186)}.com` }, 'to');
  });

  it('refuses a line break in the subject or the sender: no header can be injected', async () => {
    await expectInvalid(email({ subject: 'Code\r\nBcc: all@example.com' }), 'email.subject');
    await expectInvalid(email({ from: 'a@acme.example\nBcc: all@example.com' }), 'email.from');
    await expectInvalid(email({ from: 'not a mailbox' }), 'email.from');
  });

  it('refuses an HTML part over 100 KiB and a subject over 200 characters', async () => {
    await expectInvalid(email({ html: `<p>${'x'.repeat(100 * 1024)}</p>` }), 'email.html');
    await expectInvalid(email({ subject: 's'.repeat(201) }), 'email.subject');
  });

  it('refuses a DKIM key that is not a usable PEM private key, naming email.dkim.privateKey', async () => {
    const weak = generateKeyPairSync('rsa', {
      modulusLength: 512,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    for (const privateKey of ['not a key', weak.publicKey, weak.privateKey]) {
      await expectInvalid(
        email({ dkim: { domain: 'acme.example', selector: 's1', privateKey } }),
        'email.dkim.privateKey',
      );
    }
    const good = dkimTestKey().privateKey;
    await expectInvalid(
      email({ dkim: { domain: 'acme', selector: 's1', privateKey: good } }),
      'email.dkim.domain',
    );
  });

  it('refuses email fields on an SMS, naming email', () =>
    expectInvalid({ to: '+5511966191717', code: '123456', email: { subject: 'Hi' } }, 'email'));

  it('refuses an unknown field inside email, naming it with its path', () =>
    expectInvalid(email({ cc: 'boss@example.com' }), 'email.cc'));

  it('refuses an email that names no sender when EMAIL_FROM is not set, naming email.from', () =>
    expectInvalid({ channel: 'email', to: 'jane@example.com', code: '123456' }, 'email.from'));

  it('queued nothing for any of them', async () => {
    assert.equal(await redis.client().llen('{smsmfa}:outbox'), 0);
    assert.equal((await redis.keys('{smsmfa}:msg:*')).length, 0);
  });
});
