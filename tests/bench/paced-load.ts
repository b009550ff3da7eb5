// An open-loop load at a fixed rate: requests leave at evenly spaced instants whatever the server
// does, as independent users arrive. autocannon's rate options are not that: each connection sends
// its quota for the second back to back and then waits for the next second, so "half the max rate"
// was the max rate for half of every second and idleness for the rest, and its latencies those of
// a saturated server.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

/** One request to send: its path and JSON body. */
export interface PacedRequest {
  readonly path: string;
  readonly body: string;
}

/** What a paced window measured; latencies count from each request's scheduled instant. */
export interface PacedFigures {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  requests: number;
}

/**
 * POSTs `next()` at `rate` requests per second for `seconds` to `base`, on keep-alive connections
 * (a new one whenever every open one is busy). A request's latency runs from the instant it was due,
 * not the instant it left, so a stalled server or a late timer shows in the figures (no coordinated
 * omission). A failed connection counts as non-2xx.
 */
export async function pacedLoad(
  base: string,
  headers: Readonly<Record<string, string>>,
  rate: number,
  seconds: number,
  next: () => PacedRequest,
): Promise<PacedFigures> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const url = new URL(base);
  const total = Math.max(1, Math.round(rate * seconds));
  const intervalMs = 1000 / rate;
  const latencies: number[] = [];
  let non2xx = 0;
  const send = (due: number, { path, body }: PacedRequest) =>
    new Promise<void>((resolve) => {
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path,
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - due);
            if ((res.statusCode ?? 0) >= 300) {
              non2xx += 1;
            }
            resolve();
          });
        },
      );
      req.on('error', () => {
        non2xx += 1;
        latencies.push(performance.now() - due);
        resolve();
      });
      req.end(body);
    });
  const start = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + i * intervalMs;
    const wait = due - performance.now();
    if (wait > 0) {
      await sleep(wait);
    }
    inFlight.push(send(due, next()));
  }
  await Promise.all(inFlight);
  const elapsedS = (performance.now() - start) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    requestsPerSecond: total / elapsedS,
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    non2xx,
    requests: total,
  };
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
