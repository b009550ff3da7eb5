// Issue 13's cluster benchmark: request-code throughput (POST /ciam-mfa/v2/deviceAuthentications)
// on a local Redis Cluster of 3 masters and 3 replicas, with 1 and with 2 process sets (a bridge,
// a reference API and a worker each, QUEUE_SHARDS=3). Writes bench/cluster-results.json and .md.
//   node --conditions=source --import tsx tests/bench/cluster-bench.ts [--seconds 10] [--connections 32]
import { writeFileSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { nextPhone, startClusterStack, type ClusterStack } from '../support/cluster-stack.js';
import { masterFigures, resetStats, spreadTable } from '../support/cluster-stats.js';
import { startRedisCluster } from '../support/redis-cluster.js';

const root = resolve(import.meta.dirname, '../..');

/** Request-code figures for one number of process sets. */
interface SetFigures {
  sets: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** Each master's share of the commands, in percent. */
  commandsPctByMaster: number[];
}

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

/** Runs autocannon against every bridge at once for `seconds`, `connections` split between them. */
async function requestCodes(stack: ClusterStack, seconds: number, connections: number) {
  const runs = await Promise.all(
    stack.sets.map(async (set) => {
      const bearer = await stack.token(set.bridgeUrl);
      return autocannon({
        url: `${set.bridgeUrl}/ciam-mfa/v2/deviceAuthentications`,
        method: 'POST',
        connections: Math.max(1, Math.round(connections / stack.sets.length)),
        duration: seconds,
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
        requests: [
          {
            setupRequest: (req) => {
              const phone = nextPhone();
              return {
                ...req,
                body: JSON.stringify({ userName: `u${phone}`, phoneNumber: phone, deviceType: 'sms' }),
              };
            },
          },
        ],
      });
    }),
  );
  const requests = runs.reduce((sum, r) => sum + r.requests.total, 0);
  return {
    requestsPerSecond: runs.reduce((sum, r) => sum + r.requests.total / Math.max(r.duration, 0.001), 0),
    // Latency of the first set: the sets are alike, and percentiles do not add up.
    p50Ms: runs[0]!.latency.p50,
    p99Ms: runs[0]!.latency.p99,
    requests,
    non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
    errors: runs.reduce((sum, r) => sum + r.errors, 0),
  };
}

async function measure(sets: number, seconds: number, connections: number): Promise<SetFigures> {
  const cluster = await startRedisCluster();
  try {
    const stack = await startClusterStack({ seeds: cluster.seeds, sets, env: { QUEUE_SHARDS: '3' } });
    try {
      await resetStats(cluster);
      const figures = await requestCodes(stack, seconds, connections);
      const { rows } = spreadTable(await masterFigures(cluster));
      return { sets, ...figures, commandsPctByMaster: rows.map((r) => Math.round(r.commandsPct)) };
    } finally {
      await stack.stop();
    }
  } finally {
    await cluster.stop();
  }
}

function markdown(results: readonly SetFigures[], seconds: number, connections: number): string {
  return [
    `# Request-code throughput on a Redis Cluster (3 masters + 3 replicas, QUEUE_SHARDS=3)`,
    '',
    `${seconds} s per run, ${connections} connections split over the bridges; one machine runs everything.`,
    '',
    '| process sets | requests/s | p50 ms | p99 ms | requests | non-2xx | errors | commands % per master |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...results.map(
      (r) =>
        `| ${r.sets} | ${r.requestsPerSecond.toFixed(0)} | ${r.p50Ms} | ${r.p99Ms} | ${r.requests} | ${r.non2xx} | ${r.errors} | ${r.commandsPctByMaster.join(' / ')} |`,
    ),
    '',
  ].join('\n');
}

const seconds = option('seconds', 10);
const connections = option('connections', 32);
const results: SetFigures[] = [];
for (const sets of [1, 2]) {
  results.push(await measure(sets, seconds, connections));
}
mkdirSync(resolve(root, 'bench'), { recursive: true });
writeFileSync(resolve(root, 'bench/cluster-results.json'), `${JSON.stringify(results, null, 2)}\n`);
const text = markdown(results, seconds, connections);
writeFileSync(resolve(root, 'bench/cluster-results.md'), text);
console.log(text);
