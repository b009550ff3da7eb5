// `npm run bench`: throughput, latency and CPU per request of the reference API and the bridge beside
// baselines measured in the same run (a bare Express endpoint; BullMQ with a no-op processor and with
// nothing but the provider POST; the sign-in floor: our Redis work with no application around it). Writes bench/results.json and bench/results.md (report.ts).
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { startLocalRedis } from '@sms-mfa/common/redis-server';
import { measureBridge, measureSigninFloor } from './bridge-bench.js';
import { measureDrain } from './drain.js';
import { pacedLoad } from './paced-load.js';
import { measureRoundTrips } from './round-trip.js';
import { machineTicks, measureCpu, redisPidOf, speedProbe, type Pids } from './process-cpu.js';
import { writeReport, type HttpFigures, type RoundFigures } from './report.js';
import { startProcess, type Started } from '../support/processes.js';

const root = resolve(import.meta.dirname, '../..');
const DURATION_SECONDS = Number(process.env['BENCH_SECONDS'] ?? 8);
const CONNECTIONS = 32;
const JOBS = Number(process.env['BENCH_JOBS'] ?? 2000);
const BODY = JSON.stringify({ mobile: '+5511966191717', totp: 'Your SMS code is 123456 and is valid for 5 minutes.', used: false }, null, 2);

async function load(server: Started, pids: Pids, redisUrl?: string): Promise<HttpFigures> {
  const url = `http://127.0.0.1:${server.port}/api/sms`;
  const opts = { url, method: 'POST' as const, body: BODY, headers: { 'content-type': 'application/json' }, connections: CONNECTIONS };
  await autocannon({ ...opts, duration: 2 }); // warm-up: JIT, connection pools
  return measureCpu(pids, async () => {
    const result = await autocannon({ ...opts, duration: DURATION_SECONDS });
    return { requestsPerSecond: result.requests.total / Math.max(result.duration, 0.001), p50Ms: result.latency.p50, p99Ms: result.latency.p99, non2xx: result.non2xx, requests: result.requests.total };
  }, redisUrl);
}

/** BENCH_ROUNDS: how many times a run measures every HTTP window; each goal is the median over the rounds. */
const ROUNDS = Math.max(1, Number(process.env['BENCH_ROUNDS'] ?? 3));

/**
 * One round: every HTTP window once (bare Express, POST /api/sms and its floor, the bridge's
 * request-code, half-rate and validate-code, the sign-in floor), with the machine's speed probed
 * before and after it.
 */
async function measureRound(redisUrl: string, redisPid: number): Promise<RoundFigures> {
  const speedBefore = speedProbe();
  const bare = await startProcess('tests/bench/bare-express.server.ts');
  try {
    const barePids = { 'bare-express': bare.child.pid! };
    const bareFigures = await load(bare, barePids);
    // The latency baseline for request-code at half rate: bare Express at half its own max, paced the same way.
    const bareRate = Math.max(1, Math.round(bareFigures.requestsPerSecond / 2));
    const bareHalfRate = {
      ...(await measureCpu(barePids, () => pacedLoad(`http://127.0.0.1:${bare.port}`, { 'content-type': 'application/json' }, bareRate, DURATION_SECONDS, () => ({ path: '/api/sms', body: BODY })))),
      targetRate: bareRate,
    };
    // Measured again beside each bridge window: another load on the machine moves the baseline too.
    const bareNow = async () => (await load(bare, barePids)).requestsPerSecond;
    const api = await startProcess('reference-api/src/start.ts', ['--role', 'api'], { REDIS_URL: redisUrl, REFERENCE_API_PORT: '0', DATA_DIR: resolve(root, '.data/bench'), LOG_LEVEL: 'info' }, /"url":"http:\/\/127\.0\.0\.1:(\d+)"/);
    const apiFigures = { ...(await load(api, { 'reference-api': api.child.pid!, redis: redisPid }, redisUrl)), bareAlongside: bareFigures.requestsPerSecond };
    await api.stop();
    // The same Redis work as POST /api/sms with nothing around it, measured the same way (no worker, as above).
    const floorApi = await startProcess('tests/bench/signin-floor.server.ts', ['--role', 'server'], { REDIS_URL: redisUrl });
    const apiFloor = { ...(await load(floorApi, { floor: floorApi.child.pid!, redis: redisPid }, redisUrl)), bareAlongside: bareFigures.requestsPerSecond };
    await floorApi.stop();
    const bridge = await measureBridge(redisUrl, DURATION_SECONDS, CONNECTIONS, bareNow);
    // The same Redis work with no application around it: the least request-code and validate-code can cost.
    const floor = await measureSigninFloor(redisUrl, DURATION_SECONDS, CONNECTIONS);
    floor.requestCode.bareAlongside = await bareNow();
    floor.validateCode.bareAlongside = floor.requestCode.bareAlongside;
    return { speedProbeMs: [speedBefore, speedProbe()], bare: bareFigures, bareHalfRate, api: apiFigures, apiFloor, bridge, floor };
  } finally {
    await bare.stop();
  }
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0] ?? 0;
  const ticksBefore = machineTicks();
  const redis = await startLocalRedis();
  try {
    const redisPid = await redisPidOf(redis.url);
    speedProbe(); // warm-up: the probe's own JIT
    const rounds: RoundFigures[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      rounds.push(await measureRound(redis.url, redisPid));
      console.log(`round ${i + 1} of ${ROUNDS} measured`);
    }
    const drain = await measureDrain(redis.url, JOBS);
    const roundTrips = await measureRoundTrips(redis.url);
    const ticks = machineTicks();
    const stealPercent = (100 * (ticks.steal - ticksBefore.steal)) / Math.max(1, ticks.total - ticksBefore.total);
    const settings = { durationSeconds: DURATION_SECONDS, connections: CONNECTIONS, jobs: JOBS, loadBefore, loadAfter: loadavg()[0] ?? 0, stealPercent,
      bridgeMode: process.env['BENCH_BRIDGE_HTTP'] ? 'HTTP to the reference API (BENCH_BRIDGE_HTTP)' : 'the direct queue (REFERENCE_API_DIRECT_QUEUE=true)' };
    writeReport(root, settings, { rounds, drain, roundTrips });
  } finally {
    await redis.stop();
  }
}

await main();
