// What one Redis round trip costs on this machine, apart from any command's work: the CPU redis-server
// and a Node client (ioredis, in the bench process) spend on PINGs sent one at a time, each awaited
// before the next, against the same PINGs sent in pipelines. The difference is the price of a wake-up
// and a socket read and write on each side, which every sequential Redis call of a request pays.
import { Redis } from 'ioredis';
import { cpuMsOf, redisPidOf } from './process-cpu.js';

/** CPU microseconds per PING on each side. */
export interface PingCost {
  readonly redisMicros: number;
  readonly clientMicros: number;
}

/** A PING sent alone and awaited, against one sent among `pipelineDepth` at once. */
export interface RoundTripFigures {
  readonly pings: number;
  readonly pipelineDepth: number;
  readonly alone: PingCost;
  readonly pipelined: PingCost;
}

const cpuMsOfSelf = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

async function cost(redisPid: number, pings: number, run: () => Promise<void>): Promise<PingCost> {
  const [redisBefore, clientBefore] = [cpuMsOf(redisPid), cpuMsOfSelf()];
  await run();
  const [redisAfter, clientAfter] = [cpuMsOf(redisPid), cpuMsOfSelf()];
  return {
    redisMicros: ((redisAfter - redisBefore) * 1000) / pings,
    clientMicros: ((clientAfter - clientBefore) * 1000) / pings,
  };
}

/** Sends `pings` PINGs one at a time, then in pipelines of `pipelineDepth`, over one ioredis connection. */
export async function measureRoundTrips(redisUrl: string, pings = 20_000, pipelineDepth = 32): Promise<RoundTripFigures> {
  const redisPid = await redisPidOf(redisUrl);
  const redis = new Redis(redisUrl);
  try {
    for (let i = 0; i < 2000; i++) {
      await redis.ping(); // warm-up: JIT
    }
    const alone = await cost(redisPid, pings, async () => {
      for (let i = 0; i < pings; i++) {
        await redis.ping();
      }
    });
    const pipelined = await cost(redisPid, pings, async () => {
      for (let i = 0; i < pings; i += pipelineDepth) {
        const pipeline = redis.pipeline();
        for (let j = 0; j < pipelineDepth; j++) {
          pipeline.ping();
        }
        await pipeline.exec();
      }
    });
    return { pings, pipelineDepth, alone, pipelined };
  } finally {
    redis.disconnect();
  }
}
