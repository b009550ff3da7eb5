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

/** One round of a run: every HTTP window once, with the machine's speed probed around it. */
export interface RoundFigures {
  /** CPU ms of speedProbe() (process-cpu.ts) before and after the round: the machine's speed around it. */
  speedProbeMs: [number, number];
  bare: HttpFigures;
  /** Bare Express at half its max rate, evenly spaced like request-code's half-rate window: the latency baseline. */
  bareHalfRate: HttpFigures & { targetRate: number };
  api: HttpFigures;
  /** POST /api/sms's Redis work (the record and the job) on bare Express: its floor. */
  apiFloor: HttpFigures;
  bridge: BridgeFigures;
  /** signin-floor.server.ts: the bridge's and worker's Redis work per sign-in, and nothing else. */
  floor: FloorFigures;
}

/** Everything measured in one run. */
export interface RunFigures {
  /** BENCH_ROUNDS rounds of the HTTP windows, in the order run. */
  rounds: RoundFigures[];
  drain: DrainResults;
  /** What a Redis round trip costs on this machine beyond its command (round-trip.ts). */
  roundTrips: RoundTripFigures;
}

/** One goal of issue 13: its value in each round, the median of those, the bound, and whether the median holds. */
interface Goal {
  name: string;
  values: number[];
  value: number;
  unit: string;
  bound: string;
  met: boolean;
}

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** The round whose request-code CPU per request is the median: the one the detailed tables show. */
function medianRound(r: RunFigures): RoundFigures {
  const sorted = [...r.rounds].sort((a, b) => a.bridge.requestCode.cpu.totalMs - b.bridge.requestCode.cpu.totalMs);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

function goals(r: RunFigures): Goal[] {
  const goal = (name: string, unit: string, bound: string, values: number[], holds: (v: number) => boolean): Goal => {
    const value = median(values);
    return { name, values, value, unit, bound, met: holds(value) };
  };
  const each = (value: (round: RoundFigures) => number) => r.rounds.map(value);
  const bareHalfP99 = median(each((x) => x.bareHalfRate.p99Ms));
  return [
    goal('request-code CPU, all processes', 'ms/request', '≤ 2.5', each((x) => x.bridge.requestCode.cpu.totalMs), (v) => v <= 2.5),
    goal('request-code req/s of bare Express', '%', '≥ 15', each((x) => shareOfBare(x, x.bridge.requestCode) * 100), (v) => v >= 15),
    goal(`request-code p99 at half its max rate (bare Express at half its own: ${f(bareHalfP99)} ms)`, 'ms', '≤ 60', each((x) => x.bridge.requestCodeHalfRate.p99Ms), (v) => v <= 60),
    goal('validate-code req/s of bare Express', '%', '≥ 50', each((x) => shareOfBare(x, x.bridge.validateCode) * 100), (v) => v >= 50),
    goal('POST /api/sms req/s of bare Express', '%', '≥ 60', each((x) => shareOfBare(x, x.api) * 100), (v) => v >= 60),
    goal('worker sends/s of the send-path floor', '%', '≥ 85', r.drain.rounds.map((x) => x.share * 100), (v) => v >= 85),
  ];
}

/** req/s as a share of bare Express measured beside it (else of the round's first bare figure). */
function shareOfBare(r: RoundFigures, e: HttpFigures): number {
  return e.requestsPerSecond / (e.bareAlongside ?? r.bare.requestsPerSecond);
}

const f = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 0) : String(n));
const pct = (ratio: number) => `${(ratio * 100).toFixed(0)}%`;

function cpuCell(e: HttpFigures): string {
  return Object.entries(e.cpu.perProcessMs).map(([name, ms]) => `${name} ${f(ms)}`).join(', ');
}

/** CPU µs one round trip costs on both sides beyond its command: a PING alone minus a pipelined one. */
function roundTripMicros(rt: RoundTripFigures): number {
  const { alone, pipelined } = rt;
  return alone.redisMicros - pipelined.redisMicros + alone.clientMicros - pipelined.clientMicros;
}

function redisCell(rt: RoundTripFigures, e: HttpFigures): string {
  const t = e.cpu.redis;
  return t ? `${f(t.commands)} / ${f(t.reads)} | ${f((t.reads * roundTripMicros(rt)) / 1000)}` : '– | –';
}

function endpointRows(r: RoundFigures, rt: RoundTripFigures): string[] {
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
      `| ${name} | ${f(e.requestsPerSecond)} | ${f(e.bareAlongside ?? r.bare.requestsPerSecond)} | ${pct(shareOfBare(r, e))} | ${f(e.p50Ms)} | ${f(e.p99Ms)} | ${e.non2xx} | ${cpuCell(e)} | ${f(e.cpu.totalMs)} | ${redisCell(rt, e)} |`),
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
    `| a round trip’s price beyond its command (alone − pipelined, both sides) | ${f(roundTripMicros(r.roundTrips))} µs | |`,
  ];
}

function floorRows(r: RoundFigures): string[] {
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

/** Each round's goals beside the machine's speed around it: the same code, measured on a machine whose speed moves. */
function roundRows(r: RunFigures): string[] {
  return [
    '| round | speed probe, CPU ms (before / after) | request-code CPU ms/request (its floor’s) | request-code % of bare (its floor’s) | its p99 at half rate, ms (bare Express’s at half its rate) | validate-code % of bare (its floor’s) | POST /api/sms % of bare (its floor’s) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...r.rounds.map((x, i) => {
      const share = (ours: HttpFigures, floor: HttpFigures) => `${pct(shareOfBare(x, ours))} (${pct(shareOfBare(x, floor))})`;
      return `| ${i + 1} | ${x.speedProbeMs.map(f).join(' / ')} | ${f(x.bridge.requestCode.cpu.totalMs)} (${f(x.floor.requestCode.cpu.totalMs)}) | ${share(x.bridge.requestCode, x.floor.requestCode)} | ${f(x.bridge.requestCodeHalfRate.p99Ms)} (${f(x.bareHalfRate.p99Ms)}) | ${share(x.bridge.validateCode, x.floor.validateCode)} | ${share(x.api, x.apiFloor)} |`;
    }),
  ];
}

function markdown(s: RunSettings, r: RunFigures, g: Goal[], date: string): string {
  const m = medianRound(r);
  return [
    `# Benchmark (${date}, Node ${process.version}, ${s.connections} connections, ${s.durationSeconds} s windows)`, '',
    `Load average (1 min) on this 2-core machine: ${f(s.loadBefore)} before the run, ${f(s.loadAfter)} after;`
      + ` CPU time stolen by the hypervisor during the run: ${f(s.stealPercent)}%.`,
    `The bridge hands codes over by ${s.bridgeMode}.`,
    process.env['BENCH_COMPILED']
      ? 'The services run as the images run them: the JavaScript `npm run build` emits (dist/), not tsx.'
      : 'The services run from their TypeScript through tsx (BENCH_COMPILED unset).',
    '',
    `Every HTTP window was measured in ${r.rounds.length} rounds. The endpoint and floor tables show the round whose`,
    'request-code CPU per request is the median; each goal is the median of its value over the rounds.',
    '',
    ...endpointRows(m, r.roundTrips), '',
    ...drainRows(r, s.jobs), '',
    ...roundTripRows(r), '',
    ...floorRows(m), '',
    ...roundRows(r), '',
    `| goal (issue 13) | median of the rounds | each round | bound | met |`, '| --- | --- | --- | --- | --- |',
    ...g.map((x) => `| ${x.name} | ${f(x.value)} ${x.unit} | ${x.values.map(f).join(', ')} | ${x.bound} ${x.unit} | ${x.met ? 'met' : 'not met'} |`), '',
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
    'beyond its command on this machine (the PING table), for Redis and its client together.',
    'The speed probe is a fixed piece of work (SHA-256 and JSON) the bench process times before and after each',
    'round: on this shared VM the same work takes up to 1.7 times as long from one second to the next, and every',
    'process\'s CPU per request moves with it, which is why a run repeats its windows and reports medians.', '',
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
