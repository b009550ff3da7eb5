// `npm run keycloak`, as a newcomer runs it: the command prints the admin login and the account
// console URL, the seed walkthrough signs jdoe in through Keycloak's pages, and Ctrl-C leaves
// nothing running.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser } from 'playwright-core';
import { freePort, portInUse } from '@sms-mfa/common/redis-server';
import { outboxReader } from '../support/outbox-reader.js';
import { launchChromium } from '../browser/support/page-checks.js';
import { codePage, personalInfo, snap } from './support/sign-in.js';

const ROOT = resolve(import.meta.dirname, '../..');
const JDOE_PHONE = '+5511966191717';

describe('npm run keycloak', () => {
  const ports = { keycloak: 0, bridge: 0, reference: 0, redis: 0 };
  const dataDir = mkdtempSync(join(tmpdir(), 'npm-run-keycloak-'));
  let child: ChildProcess;
  let output = '';
  let browser: Browser;

  before(
    async () => {
      ports.keycloak = await freePort();
      ports.bridge = await freePort();
      ports.reference = await freePort();
      ports.redis = await freePort();
      child = spawn('npm', ['run', 'keycloak'], {
        cwd: ROOT,
        detached: true, // its own process group, as a terminal's foreground job
        env: {
          ...process.env,
          KEYCLOAK_PORT: String(ports.keycloak),
          BRIDGE_PORT: String(ports.bridge),
          REFERENCE_API_PORT: String(ports.reference),
          EMBEDDED_REDIS_PORT: String(ports.redis),
          DATA_DIR: dataDir,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const collect = (d: Buffer) => (output += d.toString());
      child.stdout!.on('data', collect);
      child.stderr!.on('data', collect);
      await new Promise<void>((done, fail) => {
        const ready = () => output.includes('Sign in as a user would') && done();
        child.stdout!.on('data', ready);
        child.once('exit', (code) =>
          fail(new Error(`npm run keycloak exited (${code}): ${output}`)),
        );
      });
      browser = await launchChromium();
    },
    { timeout: 900_000 },
  );

  after(async () => {
    await browser?.close();
    if (child && child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid!, 'SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the admin login, the account console URL and where the codes appear', async () => {
    const url = `http://localhost:${ports.keycloak}`;
    assert.match(output, new RegExp(`admin console ${url}/admin +user admin +password \\S+`));
    assert.ok(output.includes(`open ${url}/realms/sms-demo/account`));
    assert.ok(output.includes(`http://localhost:${ports.reference}/dev/outbox`));
    const password = /user admin +password (\S+)/.exec(output)?.[1] ?? '';
    const token = await fetch(`${url}/realms/master/protocol/openid-connect/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'admin-cli',
        username: 'admin',
        password,
      }),
    });
    assert.equal(token.status, 200, 'the printed admin password logs in');
  });

  it('takes jdoe through the seed walkthrough: account console, password, the code from the outbox, Personal info', async () => {
    const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
    const outbox = outboxReader(`http://127.0.0.1:${ports.reference}`);
    await page.goto(`http://localhost:${ports.keycloak}/realms/sms-demo/account`);
    await page.waitForSelector('#username');
    await page.fill('#username', 'jdoe');
    await page.fill('#password', 'demo');
    const before = (await outbox.outbox(JDOE_PHONE)).length;
    await page.click('#kc-login');
    await codePage(page);
    await snap(page, 'npm-run-keycloak-1-code');
    await page.fill('#code', await outbox.codeSentTo(JDOE_PHONE, before));
    await page.click('#kc-login');
    await personalInfo(page);
    await snap(page, 'npm-run-keycloak-2-personal-info');
  });

  it('stops everything on Ctrl-C: no Keycloak, bridge, reference API, Redis or Keycloak home is left', async () => {
    const home = /Keycloak's log: (\S+)\/keycloak\.log/.exec(output)?.[1] ?? '';
    assert.ok(existsSync(home), `Keycloak's home ${home} exists while it runs`);
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    process.kill(-child.pid!, 'SIGINT');
    await exited;
    // npm itself ends on the signal; the launcher under it shuts everything down in order.
    const deadline = Date.now() + 60_000;
    const leftovers = async () => {
      const busy = [];
      for (const [name, port] of Object.entries(ports)) {
        if (await portInUse(port)) {
          busy.push(`${name} still listens on ${port}`);
        }
      }
      if (existsSync(home)) {
        busy.push(`${home} is still there`);
      }
      return busy;
    };
    while ((await leftovers()).length && Date.now() < deadline) {
      await sleep(500);
    }
    assert.deepEqual(await leftovers(), []);
  });
});
