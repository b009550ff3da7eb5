import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { pacedLoad } from './paced-load.js';

test('a paced window spreads its requests over the second instead of sending them in one burst', async () => {
  const arrivals: number[] = [];
  const server = createServer((req, res) => {
    arrivals.push(performance.now());
    req.resume();
    req.on('end', () => res.writeHead(req.url === '/fail' ? 503 : 202).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    let n = 0;
    const figures = await pacedLoad(base, { 'content-type': 'application/json' }, 40, 1, () => {
      n += 1;
      return { path: n % 10 === 0 ? '/fail' : '/ok', body: '{}' };
    });
    assert.equal(figures.requests, 40);
    assert.equal(arrivals.length, 40);
    assert.equal(figures.non2xx, 4, 'every answer of 300 or more counts as non-2xx');
    // autocannon's overallRate sent all 40 at the start of the second; evenly spaced they take
    // about 975 ms. Generous bounds: a loaded machine delays timers, but never into one burst.
    const spreadMs = arrivals.at(-1)! - arrivals[0]!;
    assert.ok(spreadMs > 700, `40 requests at 40/s arrived within ${spreadMs.toFixed(0)} ms`);
    const firstQuarter = arrivals.filter((t) => t - arrivals[0]! < 250).length;
    assert.ok(firstQuarter <= 20, `${firstQuarter} of 40 arrived in the first 250 ms`);
    assert.ok(figures.p50Ms > 0 && figures.p99Ms >= figures.p50Ms);
  } finally {
    server.close();
  }
});
