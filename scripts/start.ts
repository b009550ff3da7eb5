// `npm start`: the embedded default. Starts a local redis-server (unless REDIS_URL is set) with
// its data under .data/ (append-only file on), then the reference API, its worker and the bridge
// as child processes, prints where everything is, and stops it all on Ctrl-C / SIGTERM.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { resolve } from 'node:path';
import { freePort, startLocalRedis, type LocalRedis } from '@sms-mfa/common/redis-server';

const root = resolve(import.meta.dirname, '..');
const dataDir = resolve(root, process.env['DATA_DIR'] ?? '.data');
const children: { name: string; child: ChildProcess }[] = [];
let redis: LocalRedis | undefined;
let stopping = false;

function portInUse(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection(
      { port, host: '127.0.0.1' },
      () => (socket.destroy(), done(true)),
    );
    socket.on('error', () => done(false));
  });
}

async function ensureRedis(): Promise<string> {
  if (process.env['REDIS_URL']) return process.env['REDIS_URL'];
  const deps = spawnSync('bash', [resolve(root, 'scripts/ensure-system-deps.sh'), '--redis-only'], {
    stdio: 'inherit',
  });
  if (deps.status !== 0) process.exit(1);
  const preferred = Number(process.env['EMBEDDED_REDIS_PORT'] ?? 6390);
  const port = (await portInUse(preferred)) ? await freePort() : preferred;
  redis = await startLocalRedis({ port, dataDir: resolve(dataDir, 'redis'), appendOnly: true });
  return redis.url;
}

/** The demo client's credentials: from the environment, or made once and kept under .data/. */
function demoClient(): { id: string; secret: string } {
  const id = process.env['BRIDGE_DEMO_CLIENT_ID'] ?? 'demo-app';
  if (process.env['BRIDGE_DEMO_CLIENT_SECRET'])
    return { id, secret: process.env['BRIDGE_DEMO_CLIENT_SECRET'] };
  const file = resolve(dataDir, 'demo-client.json');
  if (existsSync(file))
    return JSON.parse(readFileSync(file, 'utf8')) as { id: string; secret: string };
  const client = { id, secret: randomBytes(18).toString('base64url') };
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(client), { mode: 0o600 });
  return client;
}

function launch(name: string, script: string, args: string[], env: Record<string, string>): void {
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', resolve(root, script), ...args],
    {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`\n${name} exited (${code ?? signal}); stopping everything.`);
    void stop(1);
  });
  children.push({ name, child });
}

async function stop(code = 0): Promise<never> {
  stopping = true;
  const exits = children
    .filter((c) => c.child.exitCode === null)
    .map(({ child }) => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))));
  await Promise.race([Promise.all(exits), new Promise((r) => setTimeout(r, 15_000))]);
  await redis?.stop();
  process.exit(code);
}

async function main(): Promise<void> {
  const redisUrl = await ensureRedis();
  const env = { REDIS_URL: redisUrl, DATA_DIR: dataDir };
  const refPort = process.env['REFERENCE_API_PORT'] ?? '3412';
  const bridgePort = process.env['BRIDGE_PORT'] ?? '3000';
  const demo = demoClient();
  launch('reference-api', 'reference-api/src/start.ts', ['--role', 'api'], env);
  launch('reference-api worker', 'reference-api/src/start.ts', ['--role', 'worker'], env);
  const hasBridge = existsSync(resolve(root, 'bridge/src/start.ts'));
  if (hasBridge) {
    launch('bridge', 'bridge/src/start.ts', [], {
      ...env,
      REFERENCE_API_URL: `http://127.0.0.1:${refPort}`,
      BRIDGE_DEMO_CLIENT_ID: demo.id,
      BRIDGE_DEMO_CLIENT_SECRET: demo.secret,
    });
  }
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  await waitFor(`http://127.0.0.1:${refPort}/readyz`);
  if (hasBridge) await waitFor(`http://127.0.0.1:${bridgePort}/readyz`);
  printBanner(redisUrl, refPort, bridgePort, demo, hasBridge);
}

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (
      await fetch(url).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    await new Promise((r) => setTimeout(r, 100));
  }
  console.error(`${url} did not become ready`);
}

function printBanner(
  redisUrl: string,
  refPort: string,
  bridgePort: string,
  demo: { id: string; secret: string },
  hasBridge: boolean,
): void {
  const ref = `http://localhost:${refPort}`;
  const bridge = `http://localhost:${bridgePort}`;
  const lines = [
    '',
    'sms-mfa is running (embedded default: outbox provider, nothing leaves this machine)',
    `  redis           ${redisUrl}${redis ? `  (data in ${resolve(dataDir, 'redis')}, append-only)` : ''}`,
    `  reference API   ${ref}   POST /api/sms, POST /v1/messages, GET /dev/outbox, /openapi.json`,
    `  worker          sending through PROVIDERS=${process.env['PROVIDERS'] ?? 'outbox'}`,
  ];
  if (hasBridge) {
    lines.push(
      `  bridge          ${bridge}   CIAM MFA API v2, token issuer (realm mfa), /demo`,
      `  demo client     client_id=${demo.id}  client_secret=${demo.secret}`,
      '',
      'Try it:',
      `  TOKEN=$(curl -s -u ${demo.id}:${demo.secret} -d grant_type=client_credentials ${bridge}/realms/mfa/protocol/openid-connect/token | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')`,
      `  AUTH=$(curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"userName":"jdoe","phoneNumber":"+91-8212345212","deviceType":"sms"}' ${bridge}/ciam-mfa/v2/deviceAuthentications | sed 's/.*"authId":"\\([^"]*\\)".*/\\1/')`,
      `  curl -s '${ref}/dev/outbox?to=%2B918212345212&limit=1'      # read the code`,
      `  curl -s -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"otp":"<code>","deviceType":"SMS"}' ${bridge}/ciam-mfa/v2/deviceAuthentications/$AUTH`,
    );
  } else {
    lines.push(
      '',
      'Try it:',
      `  curl -s -H 'Content-Type: application/json' -d '{"mobile":"+5511966191717","totp":"123456"}' ${ref}/api/sms`,
      `  curl -s ${ref}/dev/outbox`,
    );
  }
  lines.push('', 'Ctrl-C stops everything.', '');
  console.log(lines.join('\n'));
}

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  await stop(1);
});
