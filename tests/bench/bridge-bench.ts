import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { startProcess, type Started } from '../support/processes.js';
import { pacedLoad } from './paced-load.js';
import { measureCpu, redisPidOf, type CpuPerRequest, type Pids } from './process-cpu.js';

const root = resolve(import.meta.dirname, '../..');
const CLIENT = { id: 'bench-app', secret: 'bench-secret-0123456789' };
const UNLIMITED = '1000000';

/** Throughput and latency of one bridge endpoint. */
export interface EndpointFigures { requestsPerSecond: number; p50Ms: number; p99Ms: number; non2xx: number; requests: number }

/** An endpoint's figures with the CPU each process spent per request (work it queued included). */
export type MeasuredEndpoint = EndpointFigures & {
  cpu: CpuPerRequest;
  /** Bare Express req/s measured right beside this window: the ratio's baseline on a machine whose load moves. */
  bareAlongside?: number;
};

/** What measureBridge reports. */
export interface BridgeFigures {
  requestCode: MeasuredEndpoint;
  /** Request-code at half its max rate, requests evenly spaced (paced-load.ts): the latency a loaded but not saturated bridge gives. */
  requestCodeHalfRate: MeasuredEndpoint & { targetRate: number };
  validateCode: MeasuredEndpoint;
}

// Shared by the reference API and its worker (each would otherwise make its own under DATA_DIR).
const MESSAGE_ENCRYPTION_KEY = 'ab'.repeat(32);

/** The bridge with the reference API and its worker in their own processes, as the bench runs them. */
export interface BridgeStack {
  readonly base: string;
  readonly token: string;
  /** The dev outbox's port (the reference API's). */
  readonly refPort: number;
  readonly pids: Pids;
  stop(): Promise<void>;
}

/** Starts the bench's stack on `redisUrl` (the bridge on the direct queue unless BENCH_BRIDGE_HTTP). */
export async function startBridgeStack(redisUrl: string): Promise<BridgeStack> {
  const dataDir = resolve(root, '.data/bench');
  // Its own queue: not the backlog the POST /api/sms window left (no worker drained it).
  const refEnv = { REDIS_URL: redisUrl, REFERENCE_API_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn', MESSAGE_ENCRYPTION_KEY, QUEUE_PREFIX: '{benchbridge}' };
  const ref = await startProcess('reference-api/src/start.ts', ['--role', 'api'], refEnv, /"url":"http:\/\/127\.0\.0\.1:(\d+)"/);
  const worker = await startProcess('reference-api/src/start.ts', ['--role', 'worker'], refEnv, /reference-api started()/);
  const bridge = await startBridge(redisUrl, dataDir, ref.port, refEnv);
  const stop = async () => {
    await bridge.stop();
    await worker.stop();
    await ref.stop();
  };
  try {
    const pids: Pids = { bridge: bridge.child.pid!, 'reference-api': ref.child.pid!, worker: worker.child.pid!, redis: await redisPidOf(redisUrl) };
    const base = `http://127.0.0.1:${bridge.port}`;
    return { base, token: await fetchToken(base), refPort: ref.port, pids, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Request-code and validate-code figures of the bridge, with the reference API and its worker (own processes) behind it. */
export async function measureBridge(redisUrl: string, seconds: number, connections: number, bareNow: () => Promise<number>): Promise<BridgeFigures> {
  const { base, token, refPort, pids, stop } = await startBridgeStack(redisUrl);
  try {
    await requestCodes(base, token, 2, connections); // warm-up: JIT, connection pools
    const requestCode = { ...(await measureCpu(pids, () => requestCodes(base, token, seconds, connections), redisUrl)), bareAlongside: await bareNow() };
    const targetRate = Math.max(1, Math.round(requestCode.requestsPerSecond / 2));
    const half = await measureCpu(pids, () => pacedRequestCodes(base, token, seconds, targetRate), redisUrl);
    const pairs = await readCodes(base, token, refPort, Number(process.env['BENCH_VALIDATIONS'] ?? 3000));
    const bareBeforeValidate = await bareNow();
    const validateCode = { ...(await measureCpu(pids, () => validateCodes(base, token, pairs, connections), redisUrl)), bareAlongside: bareBeforeValidate };
    return { requestCode, requestCodeHalfRate: { ...half, targetRate }, validateCode };
  } finally {
    await stop();
  }
}

function startBridge(redisUrl: string, dataDir: string, refPort: number, refEnv: Record<string, string>): Promise<Started> {
  return startProcess('bridge/src/start.ts', [], {
    REDIS_URL: redisUrl, BRIDGE_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'info', REFERENCE_API_URL: `http://127.0.0.1:${refPort}`,
    // The bridge queues codes itself (as the launcher runs it beside the reference API); BENCH_BRIDGE_HTTP=1 measures the HTTP hop.
    ...(process.env['BENCH_BRIDGE_HTTP'] ? {} : { REFERENCE_API_DIRECT_QUEUE: 'true', MESSAGE_ENCRYPTION_KEY: refEnv['MESSAGE_ENCRYPTION_KEY']!, QUEUE_PREFIX: refEnv['QUEUE_PREFIX']! }),
    BRIDGE_DEMO_CLIENT_ID: CLIENT.id, BRIDGE_DEMO_CLIENT_SECRET: CLIENT.secret, BRIDGE_DEMO_ENABLED: 'false',
    // The benchmark measures the engine, not the abuse limits (which would refuse most of the load).
    RATE_PHONE_SENDS: '10000', RATE_APP_SENDS_PER_MINUTE: UNLIMITED, RATE_COUNTRY_SENDS_PER_MINUTE: UNLIMITED, RATE_IP_SENDS_PER_HOUR: UNLIMITED,
    RATE_VALIDATIONS_PER_AUTH_PER_MINUTE: '10000', RATE_APP_VALIDATIONS_PER_MINUTE: UNLIMITED,
    // The pumping guard still runs on every send, but a burst of unverified codes must not quarantine +55.
    PUMPING_MIN_SENDS: UNLIMITED,
  }, /"url":"http:\/\/(?:127\.0\.0\.1|localhost):(\d+)"/);
}

async function fetchToken(base: string): Promise<string> {
  const res = await fetch(`${base}/realms/mfa/protocol/openid-connect/token`, {
    method: 'POST', headers: { authorization: `Basic ${Buffer.from(`${CLIENT.id}:${CLIENT.secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

let serial = 0;
/** A distinct valid Brazilian mobile number per request, so no two requests share a phone. */
function nextPhone(): string {
  serial += 1;
  return `+55119${String(60_000_000 + serial).padStart(8, '0')}`;
}

function figures(result: autocannon.Result): EndpointFigures {
  // total / duration: per-second samples are coarse for a fixed-amount run of a few seconds.
  return {
    requestsPerSecond: result.requests.total / Math.max(result.duration, 0.001),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    requests: result.requests.total,
  };
}

function requestCodeBody(): string {
  return JSON.stringify({ userName: `u${serial}`, phoneNumber: nextPhone(), deviceType: 'sms' });
}

async function requestCodes(base: string, token: string, seconds: number, connections: number): Promise<EndpointFigures> {
  const result = await autocannon({
    url: `${base}/ciam-mfa/v2/deviceAuthentications`, method: 'POST', connections, duration: seconds,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: requestCodeBody() }) }],
  });
  return figures(result);
}

/** Request-code at `rate` requests/s, evenly spaced (an open loop, as independent users arrive). */
function pacedRequestCodes(base: string, token: string, seconds: number, rate: number): Promise<EndpointFigures> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  return pacedLoad(base, headers, rate, seconds, () => ({ path: '/ciam-mfa/v2/deviceAuthentications', body: requestCodeBody() }));
}

/** Starts `count` authentications and reads their codes from the dev outbox. */
export async function readCodes(base: string, token: string, refPort: number, count: number): Promise<{ authId: string; otp: string }[]> {
  const pairs: { authId: string; otp: string }[] = [];
  for (let i = 0; i < count; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, count - i) }, async () => {
      const phone = nextPhone();
      const res = await fetch(`${base}/ciam-mfa/v2/deviceAuthentications`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ userName: `v${serial}`, phoneNumber: phone, deviceType: 'sms' }) });
      return { authId: ((await res.json()) as { authId: string }).authId, phone };
    }));
    for (const { authId, phone } of batch) {pairs.push({ authId, otp: await codeFor(refPort, phone) });}
  }
  return pairs;
}

async function codeFor(refPort: number, phone: string): Promise<string> {
  // Up to 20 s: a worker slowed by a profiler (BENCH_PROFILE) may still be draining the windows' backlog.
  for (let i = 0; i < 1000; i++) {
    const [entry] = (await (await fetch(`http://127.0.0.1:${refPort}/dev/outbox?to=${encodeURIComponent(phone)}&limit=1`)).json()) as { text: string }[];
    const code = entry ? /\b(\d{6})\b/.exec(entry.text)?.[1] : undefined;
    if (code) {return code;}
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no code arrived for ${phone.slice(0, 6)}…`);
}

function validateCodes(base: string, token: string, pairs: { authId: string; otp: string }[], connections: number): Promise<EndpointFigures> {
  return validations(base, { authorization: `Bearer ${token}` }, connections, pairs.length, (i) => {
    const pair = pairs[i % pairs.length]!;
    return { path: `/ciam-mfa/v2/deviceAuthentications/${pair.authId}`, body: JSON.stringify({ otp: pair.otp, deviceType: 'SMS' }) };
  });
}

/** `amount` POSTs, the i-th to `request(i)`, each of which must answer 200. */
async function validations(base: string, headers: Record<string, string>, connections: number, amount: number, request: (i: number) => { path: string; body: string }): Promise<EndpointFigures> {
  let next = 0;
  let shown = false;
  const result = await autocannon({
    // A fixed-amount run only notices it is done at a sample tick: 50 ms ticks, not the default 1 s.
    url: base, method: 'POST', connections, amount, sampleInt: 50,
    headers: { ...headers, 'content-type': 'application/json' },
    requests: [{
      setupRequest: (req) => ({ ...req, ...request(next++) }),
      onResponse: (status: number, body: string) => { if (status !== 200 && !shown) { shown = true; console.log('FAIL', status, body); } },
    }],
  });
  return figures(result);
}

/** What measureSigninFloor reports: request-code and validate-code of the floor, CPU per process. */
export interface FloorFigures { requestCode: MeasuredEndpoint; validateCode: MeasuredEndpoint }

/** The sign-in floor's server and worker processes (signin-floor.server.ts). */
export interface FloorStack {
  readonly base: string;
  readonly pids: Pids;
  /** Starts `count` floor authentications (each queues a job the floor worker takes) and returns their ids. */
  authIds(count: number): Promise<string[]>;
  stop(): Promise<void>;
}

/** Starts the sign-in floor on `redisUrl`. */
export async function startSigninFloor(redisUrl: string): Promise<FloorStack> {
  const env = { REDIS_URL: redisUrl };
  const server = await startProcess('tests/bench/signin-floor.server.ts', ['--role', 'server'], env);
  const worker = await startProcess('tests/bench/signin-floor.server.ts', ['--role', 'worker'], env);
  const base = `http://127.0.0.1:${server.port}`;
  return {
    base,
    pids: { floor: server.child.pid!, 'floor worker': worker.child.pid!, redis: await redisPidOf(redisUrl) },
    async authIds(count) {
      const ids: string[] = [];
      for (let i = 0; i < count; i += 50) {
        ids.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, async () => {
          const res = await fetch(`${base}/floor/request-code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: requestCodeBody() });
          return ((await res.json()) as { authId: string }).authId;
        }))));
      }
      return ids;
    },
    async stop() {
      await worker.stop();
      await server.stop();
    },
  };
}

/** Validates each floor authentication once. */
export async function floorValidations(base: string, authIds: readonly string[], connections: number): Promise<EndpointFigures> {
  return validations(base, {}, connections, authIds.length, (i) => ({ path: `/floor/validate/${authIds[i % authIds.length]!}`, body: '{"otp":"123456","deviceType":"SMS"}' }));
}

/**
 * The sign-in floor (signin-floor.server.ts): bare Express issuing the Redis commands of our
 * request-code and validate-code in the same round trips, and a bare BullMQ worker doing our
 * worker's Redis work for each code. Measured like the bridge, with the same load and windows.
 */
export async function measureSigninFloor(redisUrl: string, seconds: number, connections: number): Promise<FloorFigures> {
  const floor = await startSigninFloor(redisUrl);
  try {
    const post = (duration: number) =>
      autocannon({ url: `${floor.base}/floor/request-code`, method: 'POST', connections, duration, headers: { 'content-type': 'application/json' }, requests: [{ setupRequest: (req) => ({ ...req, body: requestCodeBody() }) }] });
    await post(2); // warm-up
    const requestCode = await measureCpu(floor.pids, async () => figures(await post(seconds)), redisUrl);
    const authIds = await floor.authIds(Number(process.env['BENCH_VALIDATIONS'] ?? 3000));
    const validateCode = await measureCpu(floor.pids, () => floorValidations(floor.base, authIds, connections), redisUrl);
    return { requestCode, validateCode };
  } finally {
    await floor.stop();
  }
}
