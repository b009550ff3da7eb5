// CPU time of the benchmark's processes (utime + stime from /proc/<pid>/stat), so a measured window can
// say what one request cost each process: the bridge, the reference API, its worker and redis-server.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';

const CLOCK_TICKS_PER_SECOND = clockTicks();

function clockTicks(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

/** CPU milliseconds (user + system, all threads) `pid` has used since it started. */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; fields after its closing parenthesis start at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** The machine's CPU time so far as `/proc/stat` counts it: all of it, and what the hypervisor took (steal). */
export function machineTicks(): { total: number; steal: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
}

/** The pid of the redis-server behind `url` (INFO server's process_id). */
export async function redisPidOf(url: string): Promise<number> {
  const redis = new Redis(url);
  try {
    const info = await redis.info('server');
    return Number(/process_id:(\d+)/.exec(info)?.[1] ?? Number.NaN);
  } finally {
    redis.disconnect();
  }
}

/** The processes a window is measured over, by name. */
export type Pids = Readonly<Record<string, number>>;

/** CPU ms per request of each process, and their sum. */
export interface CpuPerRequest {
  readonly perProcessMs: Record<string, number>;
  readonly totalMs: number;
  /** What Redis did per request, when the window was given its URL. */
  readonly redis?: RedisTraffic;
}

/**
 * Redis' own counters (INFO stats): commands run, and the reads and writes on its sockets. A read is
 * one wake-up of redis-server for whatever a client sent at once, so reads count round trips: one
 * command sent alone costs a read, and a pipeline of twenty costs one too.
 */
export interface RedisTraffic {
  readonly commands: number;
  readonly reads: number;
  readonly writes: number;
}

/** Redis' counters now (INFO stats, Redis 7+; 0 for a counter an older server lacks). */
export async function redisTraffic(url: string): Promise<RedisTraffic> {
  const redis = new Redis(url);
  try {
    const info = await redis.info('stats');
    const counter = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
    return {
      commands: counter('total_commands_processed'),
      reads: counter('total_reads_processed'),
      writes: counter('total_writes_processed'),
    };
  } finally {
    redis.disconnect();
  }
}

function readAll(pids: Pids): Record<string, number> {
  return Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMsOf(pid)]));
}

const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);

/**
 * Waits until the processes are idle again (the worker has drained what the window queued): their
 * CPU together rose by under `idleMs` in one `stepMs`, or `maxMs` passed.
 */
async function settle(pids: Pids, stepMs = 300, idleMs = 8, maxMs = 60_000): Promise<void> {
  let last = sum(readAll(pids));
  for (let waited = 0; waited < maxMs; waited += stepMs) {
    await sleep(stepMs);
    const now = sum(readAll(pids));
    if (now - last < idleMs) {
      return;
    }
    last = now;
  }
}

/**
 * Runs `window` (which returns how many requests it made) between two idle points, so work queued in
 * the window is counted and work queued before it is not, and divides each process's CPU by the
 * requests; given `redisUrl`, Redis' commands, reads and writes too.
 */
export async function measureCpu<T extends { requests: number }>(
  pids: Pids,
  window: () => Promise<T>,
  redisUrl?: string,
): Promise<T & { cpu: CpuPerRequest }> {
  await settle(pids); // what an earlier window queued is not this one's
  const trafficBefore = redisUrl ? await redisTraffic(redisUrl) : undefined;
  const before = readAll(pids);
  const result = await window();
  await settle(pids);
  const after = readAll(pids);
  const trafficAfter = redisUrl ? await redisTraffic(redisUrl) : undefined;
  const requests = Math.max(result.requests, 1);
  const perProcessMs = Object.fromEntries(
    Object.keys(pids).map((name) => [name, ((after[name] ?? 0) - (before[name] ?? 0)) / requests]),
  );
  const redis = trafficBefore && trafficAfter
    ? {
        commands: (trafficAfter.commands - trafficBefore.commands) / requests,
        reads: (trafficAfter.reads - trafficBefore.reads) / requests,
        writes: (trafficAfter.writes - trafficBefore.writes) / requests,
      }
    : undefined;
  return { ...result, cpu: { perProcessMs, totalMs: sum(perProcessMs), ...(redis ? { redis } : {}) } };
}

/**
 * The machine's speed now: CPU ms this process spends on a fixed piece of work (SHA-256 and JSON, the
 * kind of work a request does). On this shared VM the same work takes up to 1.7 times as long from one
 * second to the next with nothing else of ours running, so every CPU figure of a window is only
 * comparable with the probe beside it.
 */
export function speedProbe(iterations = 40_000): number {
  const started = process.cpuUsage();
  let sink = 0;
  for (let i = 0; i < iterations; i++) {
    sink += createHash('sha256').update(`probe ${i}`).digest()[0]!;
    sink += JSON.stringify({ id: i, list: [i, i + 1], text: `x${i}` }).length;
  }
  const used = process.cpuUsage(started);
  if (sink < 0) {
    throw new Error('unreachable: keeps the loop from being optimised away');
  }
  return (used.user + used.system) / 1000;
}
