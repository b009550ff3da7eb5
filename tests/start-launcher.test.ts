import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { freePort } from '@sms-mfa/common/redis-server';

const ROOT = resolve(import.meta.dirname, '..');

/** Runs `npm start`'s entry point to its end and returns what it printed. */
function npmStart(env: Record<string, string>): { status: number | null; output: string } {
  const run = spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', resolve(ROOT, 'scripts/start.ts')],
    { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 },
  );
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}

async function occupy(): Promise<{ port: number; server: Server }> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((done) => server.once('listening', done));
  return { port: (server.address() as { port: number }).port, server };
}

describe('npm start, refusing to start', () => {
  it('says in one line that the bridge port is taken, and starts nothing', async () => {
    const { port, server } = await occupy();
    try {
      const run = npmStart({
        BRIDGE_PORT: String(port),
        REFERENCE_API_PORT: String(await freePort()),
      });
      assert.equal(run.status, 1);
      assert.equal(
        run.output,
        `port ${port} is already in use: stop what listens there, or set BRIDGE_PORT to another port`,
      );
    } finally {
      server.close();
    }
  });

  it('says in one line what to set when OIDC_ISSUER_URL would make every send fail', () => {
    const run = npmStart({ OIDC_ISSUER_URL: 'https://sso.example.com/realms/shop' });
    assert.equal(run.status, 1);
    assert.match(run.output, /^OIDC_ISSUER_URL makes the reference API require tokens/);
    assert.equal(run.output.split('\n').length, 1);
  });
});
