// What each node of a test cluster holds and serves, read node by node (not through a cluster
// client, which would route the commands): keys by DBSIZE, commands by INFO commandstats.
import { Redis } from 'ioredis';
import type { RedisCluster } from './redis-cluster.js';

/** One master's share of the data and of the work. */
export interface MasterFigures {
  readonly node: string;
  readonly keys: number;
  readonly commands: number;
  /** Bytes the master received from and sent to its clients and replicas since the last reset. */
  readonly bytesIn: number;
  readonly bytesOut: number;
}

async function onNode<T>(port: number, use: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    return await use(redis);
  } finally {
    redis.disconnect();
  }
}

/** The ports of the nodes that answer and call themselves master now. */
export async function masterPorts(cluster: RedisCluster): Promise<number[]> {
  const roles = await Promise.all(
    cluster.nodes.map((n) =>
      onNode(n.port, async (r) => ((await r.role()) as unknown[])[0]).catch(() => 'down'),
    ),
  );
  return cluster.nodes.filter((_, i) => roles[i] === 'master').map((n) => n.port);
}

/** CONFIG RESETSTAT on every node that answers, so commandstats count from now on. */
export async function resetStats(cluster: RedisCluster): Promise<void> {
  await Promise.all(
    cluster.nodes.map((n) => onNode(n.port, (r) => r.config('RESETSTAT')).catch(() => undefined)),
  );
}

/** The sum of `calls=` over every command in an INFO commandstats answer. */
export function totalCalls(commandstats: string): number {
  let total = 0;
  for (const match of commandstats.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) {
    total += Number(match[1]);
  }
  return total;
}

/** Keys and commands served per master. */
export async function masterFigures(cluster: RedisCluster): Promise<MasterFigures[]> {
  return Promise.all(
    (await masterPorts(cluster)).map((port) =>
      onNode(port, async (r) => ({
        node: `127.0.0.1:${port}`,
        keys: await r.dbsize(),
        commands: totalCalls(await r.info('commandstats')),
        ...netBytes(await r.info('stats')),
      })),
    ),
  );
}

function netBytes(stats: string): { bytesIn: number; bytesOut: number } {
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(stats)?.[1] ?? 0);
  return { bytesIn: field('total_net_input_bytes'), bytesOut: field('total_net_output_bytes') };
}

/** What one unit of work (a sign-in, say) cost the whole cluster: commands, and bytes in and out. */
export function perUnit(figures: readonly MasterFigures[], units: number): string {
  const sum = (pick: (f: MasterFigures) => number) => figures.reduce((t, f) => t + pick(f), 0);
  return (
    `per sign-in over all masters: ${(sum((f) => f.commands) / units).toFixed(1)} commands, ` +
    `${(sum((f) => f.bytesIn) / units / 1024).toFixed(1)} KiB in, ` +
    `${(sum((f) => f.bytesOut) / units / 1024).toFixed(1)} KiB out (replication included)`
  );
}

/** Each master's share of keys and commands, in percent, as a printable table. */
export function spreadTable(figures: readonly MasterFigures[]): {
  rows: { node: string; keysPct: number; commandsPct: number }[];
  text: string;
} {
  const keys = figures.reduce((sum, f) => sum + f.keys, 0) || 1;
  const commands = figures.reduce((sum, f) => sum + f.commands, 0) || 1;
  const rows = figures.map((f) => ({
    node: f.node,
    keysPct: (100 * f.keys) / keys,
    commandsPct: (100 * f.commands) / commands,
  }));
  const lines = [
    '| master | keys | keys % | commands | commands % |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...figures.map(
      (f, i) =>
        `| ${f.node} | ${f.keys} | ${rows[i]!.keysPct.toFixed(1)} | ${f.commands} | ${rows[i]!.commandsPct.toFixed(1)} |`,
    ),
  ];
  return { rows, text: lines.join('\n') };
}
