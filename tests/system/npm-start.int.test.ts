// `npm start` as a new user runs it: the banner names the demo and admin clients, and with the
// admin client printed there one signs in to the /admin overview and calls the admin API.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '@sms-mfa/common/redis-server';

const ROOT = resolve(import.meta.dirname, '../..');

describe('npm start', () => {
  let child: ChildProcess;
  let output = '';
  let bridge: string;
  let referenceApi: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
  before(async () => {
    const bridgePort = await freePort();
    const referencePort = await freePort();
    bridge = `http://127.0.0.1:${bridgePort}`;
    referenceApi = `http://127.0.0.1:${referencePort}`;
    child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', resolve(ROOT, 'scripts/start.ts')],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          BRIDGE_PORT: String(bridgePort),
          REFERENCE_API_PORT: String(referencePort),
          EMBEDDED_REDIS_PORT: String(await freePort()),
          DATA_DIR: dataDir,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 90_000;
    while (!output.includes('Ctrl-C stops everything')) {
      assert.ok(Date.now() < deadline, `no banner within 90 s:\n${output}`);
      assert.equal(child.exitCode, null, `npm start exited:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  });
  after(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  const admin = () => {
    const m = output.match(/admin\s+\S+\/admin\s+client_id=(\S+)\s+client_secret=(\S+)/);
    assert.ok(m, `the banner names the admin client:\n${output}`);
    return { id: m[1]!, secret: m[2]! };
  };

  it('prints the admin overview with the client that signs in to it', async () => {
    const { id, secret } = admin();
    const page = await fetch(`${bridge}/admin`);
    assert.equal(page.status, 200);
    const cookie = (page.headers.getSetCookie() ?? []).map((c) => c.split(';')[0]).join('; ');
    const csrf = (await page.text()).match(/name="(_csrf|csrf)" value="([^"]+)"/);
    assert.ok(csrf, 'the sign-in form carries a CSRF token');
    const signedIn = await fetch(`${bridge}/admin/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ [csrf[1]!]: csrf[2]!, client_id: id, client_secret: secret }),
    });
    assert.equal(signedIn.status, 303);
    const session = [cookie, ...(signedIn.headers.getSetCookie() ?? []).map((c) => c.split(';')[0])]
      .filter(Boolean)
      .join('; ');
    const overview = await fetch(`${bridge}/admin`, { headers: { cookie: session } });
    assert.equal(overview.status, 200);
    assert.match(await overview.text(), /<svg/);
  });

  it('lets the same admin client call the admin API', async () => {
    const { id, secret } = admin();
    const token = await fetch(`${bridge}/realms/mfa/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    assert.equal(token.status, 200);
    const { access_token } = (await token.json()) as { access_token: string };
    const apps = await fetch(`${bridge}/admin/v1/applications`, {
      headers: { authorization: `Bearer ${access_token}` },
    });
    assert.equal(apps.status, 200);
    const listed = (await apps.json()) as { applications: { clientId: string }[] };
    assert.ok(listed.applications.some((a) => a.clientId === 'demo-app'));
  });

  it('sends a code straight onto the reference API queue, without an HTTP hop', async () => {
    const m = output.match(/demo client\s+client_id=(\S+)\s+client_secret=(\S+)/);
    assert.ok(m, `the banner names the demo client:\n${output}`);
    const token = await fetch(`${bridge}/realms/mfa/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${m[1]}:${m[2]}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
    });
    const { access_token } = (await token.json()) as { access_token: string };
    const phone = '+5511966191723';
    const issued = await fetch(`${bridge}/ciam-mfa/v2/deviceAuthentications`, {
      method: 'POST',
      headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userName: 'npm-start-user', phoneNumber: phone, deviceType: 'sms' }),
    });
    assert.equal(issued.status, 201, await issued.clone().text());
    let delivered: { text: string }[] = [];
    for (let i = 0; i < 100 && delivered.length === 0; i++) {
      const res = await fetch(`${referenceApi}/dev/outbox?to=${encodeURIComponent(phone)}`);
      delivered = (await res.json()) as { text: string }[];
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(delivered.length, 1, 'the worker delivered the code to the dev outbox');
    assert.match(delivered[0]!.text, /\d{6}/);
    const metrics = await (await fetch(`${referenceApi}/metrics`)).text();
    assert.doesNotMatch(
      metrics,
      /http_requests_total\{[^}]*route="\/api\/sms"/,
      'the reference API answered no POST /api/sms: the bridge queued the code itself',
    );
  });
});
