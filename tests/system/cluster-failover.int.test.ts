// Issue 13: a master dies under load. Sign-ins (bridge → reference API → worker → fake Twilio) and
// direct sends (POST /api/sms) run while one master of a 3+3 cluster is killed with SIGKILL; its
// replica takes over and the same processes keep serving. Printed per REDIS_WAIT_REPLICAS (0, 1):
// messages accepted (202) vs delivered, sign-ins completed, errors and how long they lasted, and
// the p50/p99 latency of an accepted send. Replication is asynchronous: with 0 a write the dead
// master acknowledged but had not yet passed on can be lost (reported, not asserted); with 1 the
// API answers 202 only once a replica holds the message, so nothing acknowledged is lost.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import {
  nextPhone,
  signIn,
  startClusterStack,
  type ClusterStack,
} from '../support/cluster-stack.js';
import { masterPorts } from '../support/cluster-stats.js';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster.js';

const NODE_TIMEOUT_MS = 1000;
/**
 * How long after the kill errors may go on: the node timeout to suspect the master, a moment for
 * the others to agree and the replica to win its election (~1–2 s), the clients' slot refresh, and
 * the bridge's 5 s REFERENCE_API_TIMEOUT_MS for a call that was waiting on the dead node.
 */
const ERROR_BOUND_MS = NODE_TIMEOUT_MS + 9000;
const LOOPS = 4;

/** What one run measured. */
interface Figures {
  waitReplicas: number;
  accepted: number;
  acceptedAfterPromotion: number;
  delivered: number;
  lost: number;
  lostAfterPromotion: number;
  signIns: number;
  /** Errors before the kill: not the failover's doing (a product bug, or a machine too slow). */
  errorsBeforeKill: number;
  errors: number;
  /** From the first to the last error after the kill. */
  errorWindowMs: number;
  lastErrorAfterKillMs: number;
  promotedAfterMs: number;
  p50Ms: number;
  p99Ms: number;
}

const results: Figures[] = [];

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** SIGKILLs the redis-server on `port` (its pid from INFO server): no shutdown, no last save. */
async function killNode(port: number): Promise<void> {
  const redis = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1 });
  try {
    const pid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
    process.kill(pid, 'SIGKILL');
  } finally {
    redis.disconnect();
  }
}

/** Resolves once three nodes answer as masters again (the dead one's replica promoted). */
async function untilPromoted(cluster: RedisCluster, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await masterPorts(cluster)).length < 3) {
    if (Date.now() > deadline) {
      throw new Error(`no replica was promoted within ${timeoutMs} ms`);
    }
    await sleep(50);
  }
}

/** Runs sign-ins and sends until `stop()`, recording every outcome with its time. */
function startLoad(stack: ClusterStack, bearer: string) {
  const set = stack.sets[0]!;
  const errors: { at: number; message: string }[] = [];
  const accepted: { phone: string; at: number }[] = [];
  const latencies: number[] = [];
  let signIns = 0;
  let running = true;
  const signers = Array.from({ length: LOOPS }, async (_, loop) => {
    for (let i = 0; running; i++) {
      await signIn(stack, set.bridgeUrl, bearer, `user-${loop}-${i}`, nextPhone())
        .then(() => signIns++)
        .catch((err: Error) => errors.push({ at: Date.now(), message: `sign-in: ${err.message}` }));
    }
  });
  const senders = Array.from({ length: LOOPS }, async () => {
    while (running) {
      const phone = nextPhone();
      const started = Date.now();
      try {
        const res = await fetch(`${set.apiUrl}/api/sms`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ mobile: phone, totp: '123456' }),
        });
        await res.arrayBuffer();
        if (res.status !== 202) {
          throw new Error(`HTTP ${res.status}`);
        }
        latencies.push(Date.now() - started);
        accepted.push({ phone, at: Date.now() });
      } catch (err) {
        errors.push({ at: Date.now(), message: `send: ${(err as Error).message}` });
      }
    }
  });
  return {
    errors,
    accepted,
    latencies,
    signIns: () => signIns,
    async stop() {
      running = false;
      await Promise.all([...signers, ...senders]);
    },
  };
}

/** Waits until every accepted message reached the fake Twilio, or `timeoutMs` passed. */
async function drain(stack: ClusterStack, phones: readonly string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  let missing = phones.filter((p) => stack.deliveredTo(p) === 0);
  while (missing.length > 0 && Date.now() < deadline) {
    await sleep(200);
    missing = missing.filter((p) => stack.deliveredTo(p) === 0);
  }
  return new Set(missing);
}

async function failover(waitReplicas: number): Promise<Figures> {
  const cluster = await startRedisCluster({ nodeTimeoutMs: NODE_TIMEOUT_MS });
  let stack: ClusterStack | undefined;
  try {
    stack = await startClusterStack({
      seeds: cluster.seeds,
      env: { QUEUE_SHARDS: '3', REDIS_WAIT_REPLICAS: String(waitReplicas) },
    });
    const processes = stack.sets[0]!.processes;
    const pids = processes.map((p) => p.child.pid);
    const load = startLoad(stack, await stack.token(stack.sets[0]!.bridgeUrl));
    await sleep(3000);
    const [victim] = await masterPorts(cluster);
    const killedAt = Date.now();
    await killNode(victim!);
    await untilPromoted(cluster, 15_000);
    const promotedAt = Date.now();
    await sleep(8000);
    await load.stop();
    const missing = await drain(
      stack,
      load.accepted.map((a) => a.phone),
      20_000,
    );
    assert.deepEqual(
      processes.map((p) => p.child.exitCode),
      processes.map(() => null),
      'no process exited',
    );
    assert.deepEqual(
      processes.map((p) => p.child.pid),
      pids,
    );
    const after = load.accepted.filter((a) => a.at > promotedAt);
    const during = load.errors.filter((e) => e.at >= killedAt);
    const lastError = during.at(-1)?.at ?? killedAt;
    const sorted = [...load.latencies].sort((a, b) => a - b);
    const figures: Figures = {
      waitReplicas,
      accepted: load.accepted.length,
      acceptedAfterPromotion: after.length,
      delivered: load.accepted.length - missing.size,
      lost: missing.size,
      lostAfterPromotion: after.filter((a) => missing.has(a.phone)).length,
      signIns: load.signIns(),
      errorsBeforeKill: load.errors.length - during.length,
      errors: during.length,
      errorWindowMs: during.length ? lastError - during[0]!.at : 0,
      lastErrorAfterKillMs: lastError - killedAt,
      promotedAfterMs: promotedAt - killedAt,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
    };
    const kinds = new Map<string, number>();
    for (const e of load.errors) {
      kinds.set(e.message, (kinds.get(e.message) ?? 0) + 1);
    }
    console.log(
      `REDIS_WAIT_REPLICAS=${waitReplicas}:`,
      figures,
      'errors by kind:',
      Object.fromEntries(kinds),
      '\nwhat the processes logged as warnings and errors (the last 20):\n',
      stack.problems().slice(-20).join('\n'),
    );
    return figures;
  } finally {
    await stack?.stop();
    await cluster.stop();
  }
}

function assertRecovered(f: Figures): void {
  assert.ok(f.accepted > 0 && f.signIns > 0, 'the load ran');
  assert.ok(f.acceptedAfterPromotion > 0, 'sends were accepted after the switch');
  assert.equal(f.lostAfterPromotion, 0, 'every message accepted after the switch was delivered');
  assert.ok(
    f.lastErrorAfterKillMs <= f.promotedAfterMs + ERROR_BOUND_MS,
    `errors went on ${f.lastErrorAfterKillMs} ms after the kill`,
  );
}

describe('a master killed under load', () => {
  after(() => {
    const rows = results.map(
      (f) =>
        `| ${f.waitReplicas} | ${f.accepted} | ${f.delivered} | ${f.lost} | ${f.signIns} | ${f.errorsBeforeKill} | ${f.errors} | ${f.errorWindowMs} | ${f.promotedAfterMs} | ${f.p50Ms} | ${f.p99Ms} |`,
    );
    console.log(
      [
        '| REDIS_WAIT_REPLICAS | accepted (202) | delivered | lost | sign-ins | errors before kill | errors after | error window ms | promoted after ms | accept p50 ms | accept p99 ms |',
        '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...rows,
      ].join('\n'),
    );
  });

  it('with REDIS_WAIT_REPLICAS=0: the replica takes over, the same processes keep serving, errors stop within seconds', async () => {
    const figures = await failover(0);
    results.push(figures);
    assertRecovered(figures);
  });

  it('with REDIS_WAIT_REPLICAS=1: the same, and no accepted message is lost', async () => {
    const figures = await failover(1);
    results.push(figures);
    assertRecovered(figures);
    assert.equal(figures.lost, 0, 'a message answered 202 was lost');
  });
});
