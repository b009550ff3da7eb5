// Turns one bench run into bench/results.json and bench/results.md: a table per endpoint (req/s, share
// of bare Express, p50/p99, CPU ms per request per process and in all) and issue 13's goals, met or not.
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BridgeFigures, FloorFigures, MeasuredEndpoint } from './bridge-bench.js';
import type { DrainResults } from './drain.js';
import type { RoundTripFigures } from './round-trip.js';

/** An HTTP endpoint's figures: what autocannon saw and the CPU each process spent per request. */
export type HttpFigures = MeasuredEndpoint;

/** How the run was made: window, connections, jobs, and the 1-minute load average around it. */
export interface RunSettings {
  durationSeconds: number;
  connections: number;
  jobs: number;
  loadBefore: number;
  loadAfter: number;
  /** Share of the machine's CPU time the hypervisor gave to others during the run (steal), in %. */
  stealPercent: number;
  /** How the bridge hands codes over: the direct queue, or HTTP to the reference API. */
  bridgeMode: string;
}

/** Everything measured in one run. */
export interface RunFigures {
  bare: HttpFigures;
  /** Bare Express at half its max rate, evenly spaced like request-code's half-rate window: the latency baseline. */
  bareHalfRate: HttpFigures & { targetRate: number };
  api: HttpFigures;
  /** POST /api/sms's Redis work (the record and the job) on bare Express: its floor. */
  apiFloor: HttpFigures;
  drain: DrainResults;
  /** What a Redis round trip costs on this machine beyond its command (round-trip.ts). */
  roundTrips: RoundTripFigures;
  bridge: BridgeFigures;
  /** signin-floor.server.ts: the bridge's and worker's Redis work per sign-in, and nothing else. */
  floor: FloorFigures;
}

/** One goal of issue 13: the measured value, the bound, and whether it holds. */
interface Goal {
  name: string;
  value: number;
  unit: string;
  bound: string;
  met: boolean;
}

function goals(r: RunFigures): Goal[] {
  const ofBare = (e: HttpFigures) => shareOfBare(r, e);
  const rc = r.bridge.requestCode;
  const workerOfFloor = r.drain.worker.perSecond / r.drain.floor.perSecond;
  return [
    { name: 'request-code CPU, all processes', value: rc.cpu.totalMs, unit: 'ms/request', bound: '≤ 2.5', met: rc.cpu.totalMs <= 2.5 },
    { name: 'request-code req/s of bare Express', value: ofBare(rc) * 100, unit: '%', bound: '≥ 15', met: ofBare(rc) >= 0.15 },
    { name: `request-code p99 at half its max rate (bare Express at half its own: ${f(r.bareHalfRate.p99Ms)} ms)`, value: r.bridge.requestCodeHalfRate.p99Ms, unit: 'ms', bound: '≤ 60', met: r.bridge.requestCodeHalfRate.p99Ms <= 60 },
    { name: 'validate-code req/s of bare Express', value: ofBare(r.bridge.validateCode) * 100, unit: '%', bound: '≥ 50', met: ofBare(r.bridge.validateCode) >= 0.5 },
    { name: 'POST /api/sms req/s of bare Express', value: ofBare(r.api) * 100, unit: '%', bound: '≥ 60', met: ofBare(r.api) >= 0.6 },
    { name: 'worker sends/s of the send-path floor', value: workerOfFloor * 100, unit: '%', bound: '≥ 85', met: workerOfFloor >= 0.85 },
  ];
}

/** req/s as a share of bare Express measured beside it (else of the run's first bare figure). */
function shareOfBare(r: RunFigures, e: HttpFigures): number {
  return e.requestsPerSecond / (e.bareAlongside ?? r.bare.requestsPerSecond);
}

const f = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 0) : String(n));
const pct = (ratio: number) => `${(ratio * 100).toFixed(0)}%`;

function cpuCell(e: HttpFigures): string {
  return Object.entries(e.cpu.perProcessMs).map(([name, ms]) => `${name} ${f(ms)}`).join(', ');
}

/** CPU µs one round trip costs on both sides beyond its command: a PING alone minus a pipelined one. */
function roundTripMicros(r: RunFigures): number {
  const { alone, pipelined } = r.roundTrips;
  return alone.redisMicros - pipelined.redisMicros + alone.clientMicros - pipelined.clientMicros;
}

function redisCell(r: RunFigures, e: HttpFigures): string {
  const t = e.cpu.redis;
  return t ? `${f(t.commands)} / ${f(t.reads)} | ${f((t.reads * roundTripMicros(r)) / 1000)}` : '– | –';
}

function endpointRows(r: RunFigures): string[] {
  const rows: [string, HttpFigures][] = [
    ['bare Express POST /api/sms (baseline)', r.bare],
    [`bare Express at half rate (${f(r.bareHalfRate.targetRate)}/s asked, evenly spaced)`, r.bareHalfRate],
    ['reference API POST /api/sms', r.api],
    ['floor: POST /api/sms (its Redis work, no application)', r.apiFloor],
    ['bridge request-code (max rate)', r.bridge.requestCode],
    [`bridge request-code at half rate (${f(r.bridge.requestCodeHalfRate.targetRate)}/s asked)`, r.bridge.requestCodeHalfRate],
    ['bridge validate-code', r.bridge.validateCode],
    ['sign-in floor: request-code (our Redis work, no application)', r.floor.requestCode],
    ['sign-in floor: validate-code (our Redis work, no application)', r.floor.validateCode],
  ];
  return [
    '| endpoint | req/s | bare Express beside it, req/s | % of bare Express | p50 ms | p99 ms | non-2xx | CPU ms/request per process | CPU ms/request total | Redis commands / reads per request | round trips’ price, ms/request (model) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(([name, e]) =>
      `| ${name} | ${f(e.requestsPerSecond)} | ${f(e.bareAlongside ?? r.bare.requestsPerSecond)} | ${pct(shareOfBare(r, e))} | ${f(e.p50Ms)} | ${f(e.p99Ms)} | ${e.non2xx} | ${cpuCell(e)} | ${f(e.cpu.totalMs)} | ${redisCell(r, e)} |`),
  ];
}

function drainRows(r: RunFigures, jobs: number): string[] {
  const { raw, floor, worker, rounds } = r.drain;
  const row = (name: string, d: typeof raw) =>
    `| ${name} | ${f(d.perSecond)} | ${pct(d.perSecond / floor.perSecond)} | ${f(d.cpuMicrosPerJob / 1000)} | ${f(d.redisCpuMicrosPerJob / 1000)} |`;
  const shares = rounds.map((x) => pct(x.share)).join(', ');
  return [
    `| drain (${jobs} jobs, in the bench process) | jobs/s | % of send-path floor | CPU ms/job, bench process | CPU ms/job, redis |`,
    '| --- | --- | --- | --- | --- |',
    row('BullMQ, no-op processor', raw),
    row(`send-path floor: BullMQ + the Twilio POST on bare node:http (the median of ${rounds.length} pairs)`, floor),
    row(`our worker to the Twilio fake, drained right after it (each pair's share: ${shares})`, worker),
  ];
}

function roundTripRows(r: RunFigures): string[] {
  const { alone, pipelined, pings, pipelineDepth } = r.roundTrips;
  return [
    `| a Redis round trip on this machine (${pings} PINGs, one connection) | CPU µs per PING, redis-server | CPU µs per PING, the client (ioredis) |`,
    '| --- | --- | --- |',
    `| each PING sent alone, awaited before the next | ${f(alone.redisMicros)} | ${f(alone.clientMicros)} |`,
    `| PINGs in pipelines of ${pipelineDepth} | ${f(pipelined.redisMicros)} | ${f(pipelined.clientMicros)} |`,
    `| a round trip’s price beyond its command (alone − pipelined, both sides) | ${f(roundTripMicros(r))} µs | |`,
  ];
}

function floorRows(r: RunFigures): string[] {
  const row = (name: string, ours: HttpFigures, floor: HttpFigures) =>
    `| ${name} | ${f(ours.cpu.totalMs)} | ${f(floor.cpu.totalMs)} | ${f(ours.cpu.totalMs - floor.cpu.totalMs)} | ${pct(ours.requestsPerSecond / floor.requestsPerSecond)} |`;
  return [
    '| against its floor | ours, CPU ms/request | floor, CPU ms/request | ours − floor | our req/s, % of the floor’s |',
    '| --- | --- | --- | --- | --- |',
    row('POST /api/sms', r.api, r.apiFloor),
    row('request-code (max rate)', r.bridge.requestCode, r.floor.requestCode),
    row('validate-code', r.bridge.validateCode, r.floor.validateCode),
  ];
}

function markdown(s: RunSettings, r: RunFigures, g: Goal[], date: string): string {
  return [
    `# Benchmark (${date}, Node ${process.version}, ${s.connections} connections, ${s.durationSeconds} s windows)`, '',
    `Load average (1 min) on this 2-core machine: ${f(s.loadBefore)} before the run, ${f(s.loadAfter)} after;`
      + ` CPU time stolen by the hypervisor during the run: ${f(s.stealPercent)}%.`,
    `The bridge hands codes over by ${s.bridgeMode}.`,
    process.env['BENCH_COMPILED']
      ? 'The services run as the images run them: the JavaScript `npm run build` emits (dist/), not tsx.'
      : 'The services run from their TypeScript through tsx (BENCH_COMPILED unset).',
    '',
    ...endpointRows(r), '',
    ...drainRows(r, s.jobs), '',
    ...roundTripRows(r), '',
    ...floorRows(r), '',
    '| goal (issue 13) | measured | bound | met |', '| --- | --- | --- | --- |',
    ...g.map((x) => `| ${x.name} | ${f(x.value)} ${x.unit} | ${x.bound} ${x.unit} | ${x.met ? 'met' : 'not met'} |`), '',
    'CPU per request is utime + stime of each process (/proc/<pid>/stat) from an idle point before the window to',
    'the idle point after it (so the worker’s sends of the codes a window queued count), divided by the requests.',
    'The send-path floor is BullMQ whose processor makes the same Twilio POST on a bare keep-alive node:http client',
    'and nothing else: no worker that makes one HTTP call per message can drain faster on this machine.',
    'The sign-in floor (tests/bench/signin-floor.server.ts) is bare Express sending the Redis commands our bridge',
    'sends for a request-code or a validate-code, in the same sequential round trips, with our scripts and',
    'rate-limiter-flexible, and a bare BullMQ worker doing our worker’s Redis work for each code: no token check,',
    'input checks, HMAC, AES-GCM, logs, metrics or audit logic. What our sign-in costs above it is our code.',
    'The POST /api/sms floor is the same server writing that route\'s message record and job, nothing else.',
    'A half-rate window sends its requests at evenly spaced instants (tests/bench/paced-load.ts) and counts each',
    'latency from the instant the request was due; its CPU per request is higher than at the max rate on this VM',
    '(idle gaps: the same holds for bare Express).',
    'Redis reads are redis-server’s own count of socket reads (INFO stats total_reads_processed): one per batch a',
    'client sent at once, so they count round trips, and commands sent together by concurrent requests share one.',
    'The round trips’ price is a model, not a measurement: reads per request times what one round trip costs',
    'beyond its command on this machine (the PING table), for Redis and its client together.', '',
  ].join('\n');
}

/** Writes bench/results.json and bench/results.md under `root` and prints the markdown. */
export function writeReport(root: string, settings: RunSettings, r: RunFigures): void {
  const date = new Date().toISOString();
  const g = goals(r);
  const results = { date, node: process.version, ...settings, ...r, goals: g };
  const md = markdown(settings, r, g, date);
  mkdirSync(resolve(root, 'bench'), { recursive: true });
  writeFileSync(resolve(root, 'bench/results.json'), JSON.stringify(results, null, 2));
  writeFileSync(resolve(root, 'bench/results.md'), md);
  console.log(md);
}
