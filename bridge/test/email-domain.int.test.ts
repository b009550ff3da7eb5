import assert from 'node:assert/strict';
import { createPublicKey, sign, verify } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { useRedis } from '@sms-mfa/tests/support/redis-harness';
import { openDkimKey } from '../src/email/dkim-key.js';
import { cli } from './support/apps-cli.js';
import {
  ADMIN,
  call,
  fetchToken,
  startTestBridge,
  type TestBridge,
} from './support/bridge-harness.js';
import { redisText } from './support/redis-text.js';

const APPS = '/admin/v1/applications';

/** The quoted strings of a zone-file TXT line, and the line's name. */
function txt(line: string): { name: string; strings: string[] } {
  const [name] = line.trim().split(' ');
  return { name: name ?? '', strings: [...line.matchAll(/"([^"]*)"/g)].map((m) => m[1] ?? '') };
}

describe('an application’s email domain and its DKIM key', () => {
  const redis = useRedis();
  let bridge: TestBridge;
  let admin: string;
  const env = () => ({ ...redis.env, BRIDGE_SECRET: bridge.config.serverSecret! });

  before(async () => {
    bridge = await startTestBridge(redis.url);
    redis.defer(() => bridge.close());
    admin = await fetchToken(bridge.url, ADMIN.clientId, ADMIN.clientSecret);
    await bridge.apps.create({ clientId: 'mailer', name: 'Mailer', deviceTypes: ['EMAIL'] });
  });

  it('generates the key with `apps email-domain` and prints the DKIM, SPF and DMARC records to publish', async () => {
    const { code, stdout, stderr } = await cli(
      [
        'email-domain',
        'mailer',
        '--domain',
        'Acme.Example',
        '--selector',
        's1',
        '--from',
        'Acme <no-reply@acme.example>',
      ],
      env(),
    );
    assert.equal(code, 0, stderr);
    const lines = stdout.split('\n').filter((l) => / TXT "/.test(l));
    assert.equal(lines.length, 3, stdout);
    const [dkim, spf, dmarc] = lines.map(txt);
    assert.equal(dkim?.name, 's1._domainkey.acme.example');
    assert.ok(
      dkim!.strings.length >= 2 && dkim!.strings.every((s) => s.length <= 255),
      'split into strings of ≤ 255',
    );
    assert.match(dkim!.strings.join(''), /^v=DKIM1; k=rsa; p=[A-Za-z0-9+/]+=*$/);
    assert.deepEqual(spf, { name: 'acme.example', strings: ['v=spf1 include:<your relay> ~all'] });
    assert.match(stdout, /replace <your relay>/);
    assert.deepEqual(dmarc, {
      name: '_dmarc.acme.example',
      strings: ['v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.example'],
    });

    const app = await bridge.apps.get('mailer');
    assert.equal(app?.emailFrom, 'Acme <no-reply@acme.example>');
    const privateKey = openDkimKey(Buffer.from(env().BRIDGE_SECRET), 'mailer', app!.emailDkim!);
    const published = dkim!.strings.join('').replace(/^.*p=/, '');
    const publicKey = createPublicKey({
      key: Buffer.from(published, 'base64'),
      format: 'der',
      type: 'spki',
    });
    assert.equal(publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    const signature = sign('sha256', Buffer.from('hello'), privateKey);
    assert.ok(
      verify('sha256', Buffer.from('hello'), publicKey, signature),
      'the record publishes the key that signs',
    );
  });

  it('stores the private key sealed: no PEM anywhere in Redis, none in the admin API', async () => {
    assert.equal((await redisText(redis.client())).includes('PRIVATE KEY'), false);
    const res = await call(`${bridge.url}${APPS}/mailer`, admin);
    const body = (await res.json()) as Record<string, any>;
    assert.deepEqual(Object.keys(body['emailDkim']).sort(), [
      'createdAt',
      'dnsRecord',
      'domain',
      'selector',
    ]);
    assert.equal(body['emailDkim'].dnsRecord.name, 's1._domainkey.acme.example');
    assert.match(body['emailDkim'].dnsRecord.value, /^v=DKIM1; k=rsa; p=/);
    assert.equal(JSON.stringify(body).includes('sealed'), false);
  });

  it('refuses a domain other than emailFrom’s, and an emailFrom off the key’s domain', async () => {
    const other = await cli(['email-domain', 'mailer', '--domain', 'other.example'], env());
    assert.equal(other.code, 2);
    assert.match(other.stderr, /domain: is not the domain of the application’s emailFrom/);
    const from = await cli(
      ['email-domain', 'mailer', '--domain', 'other.example', '--from', 'x@acme.example'],
      env(),
    );
    assert.match(from.stderr, /emailFrom: must be an address at other\.example/);
    const patch = await call(`${bridge.url}${APPS}/mailer`, admin, {
      method: 'PATCH',
      body: { emailFrom: 'no-reply@elsewhere.example' },
    });
    assert.equal(patch.status, 400);
    const failure = (await patch.json()) as { details: { field: string; message: string }[] };
    assert.equal(failure.details[0]?.field, 'emailFrom');
    assert.match(failure.details[0]?.message ?? '', /at acme\.example/);
  });

  it('moves the sender and the key to a new domain together through the admin API', async () => {
    const res = await call(`${bridge.url}${APPS}/mailer/email-domain`, admin, {
      method: 'POST',
      body: { domain: 'new.example', selector: 'mfa2026', emailFrom: 'Acme <codes@new.example>' },
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as {
      emailDkim: { domain: string };
      dnsRecords: { purpose: string; name: string }[];
    };
    assert.equal(body.emailDkim.domain, 'new.example');
    assert.deepEqual(
      body.dnsRecords.map((r) => `${r.purpose} ${r.name}`),
      ['DKIM mfa2026._domainkey.new.example', 'SPF new.example', 'DMARC _dmarc.new.example'],
    );
    assert.equal((await bridge.apps.get('mailer'))?.emailFrom, 'Acme <codes@new.example>');
    const missing = await call(`${bridge.url}${APPS}/nobody/email-domain`, admin, {
      method: 'POST',
      body: { domain: 'new.example' },
    });
    assert.equal(missing.status, 404);
    const bad = await call(`${bridge.url}${APPS}/mailer/email-domain`, admin, {
      method: 'POST',
      body: { domain: 'not a domain', selector: 'a.b' },
    });
    const failure = (await bad.json()) as { details: { field: string }[] };
    assert.deepEqual(failure.details.map((d) => d.field).sort(), ['domain', 'selector']);
  });

  it('says what to do when it has no server secret to seal with', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-secret-'));
    const { code, stderr } = await cli(['email-domain', 'mailer', '--domain', 'new.example'], {
      ...redis.env,
      DATA_DIR: empty,
    });
    assert.equal(code, 1);
    assert.match(stderr, /no server secret to seal with: set BRIDGE_SECRET/);
  });
});
