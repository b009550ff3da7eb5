import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { TransientProviderError } from '../../src/providers/provider-errors.js';
import { providerFetch } from '../../src/providers/provider-http.js';

/** A provider that answers `/ok` at once, `/headers` with the request's headers, `/slow` after 600 ms, and never answers `/silent`. */
function startServer(): Promise<Server> {
  const server = createServer((req, res) => {
    const answer = () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url }));
    };
    if (req.url === '/ok') {
      answer();
    } else if (req.url === '/headers') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.headers));
    } else if (req.url === '/slow') {
      setTimeout(answer, 600);
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('provider HTTP client', () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = await startServer();
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it('gives up on a provider that stays silent past the timeout, as a transient failure', async () => {
    const started = performance.now();
    const err = await providerFetch('p', `${base}/silent`, {}, { timeoutMs: 200 }).catch(
      (e: unknown) => e,
    );
    assert.ok(err instanceof TransientProviderError);
    assert.equal(err.message, 'request timed out');
    assert.ok(performance.now() - started < 2000);
  });

  it("stops at once when the caller's signal aborts, and calls that a timeout", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = performance.now();
    const err = await providerFetch(
      'p',
      `${base}/silent`,
      {},
      { timeoutMs: 10_000, signal: controller.signal },
    ).catch((e: unknown) => e);
    assert.ok(err instanceof TransientProviderError);
    assert.equal(err.message, 'request timed out');
    assert.ok(performance.now() - started < 2000);
  });

  it('stops every call that shares a signal when it aborts, and refuses a call on a signal already aborted', async () => {
    const controller = new AbortController();
    const calls = [1, 2, 3].map(() =>
      providerFetch('p', `${base}/silent`, {}, { timeoutMs: 10_000, signal: controller.signal }),
    );
    const answered = await providerFetch(
      'p',
      `${base}/ok`,
      {},
      { signal: controller.signal, timeoutMs: 10_000 },
    );
    assert.equal(answered.status, 200);
    setTimeout(() => controller.abort(), 50);
    for (const err of await Promise.all(calls.map((c) => c.catch((e: unknown) => e)))) {
      assert.ok(err instanceof TransientProviderError);
      assert.equal(err.message, 'request timed out');
    }
    const late = await providerFetch(
      'p',
      `${base}/ok`,
      {},
      { signal: controller.signal, timeoutMs: 10_000 },
    ).catch((e: unknown) => e);
    assert.ok(late instanceof TransientProviderError);
    assert.equal(late.message, 'request timed out');
  });

  it("sends a frozen header object's headers, lower-cased, on every call with that call's own length", async () => {
    const headers = Object.freeze({ Authorization: 'Basic abc', 'Content-Type': 'text/plain' });
    for (const body of ['a', 'bbbb']) {
      const res = await providerFetch(
        'p',
        `${base}/headers`,
        { method: 'POST', headers, body },
        { timeoutMs: 2000 },
      );
      const seen = res.body as Record<string, string>;
      assert.equal(seen['authorization'], 'Basic abc');
      assert.equal(seen['content-type'], 'text/plain');
      assert.equal(seen['content-length'], String(body.length));
    }
    assert.deepEqual(Object.keys(headers), ['Authorization', 'Content-Type']);
  });

  it('reuses a kept-alive connection without carrying an earlier timeout over to the next call', async () => {
    for (let i = 0; i < 3; i++) {
      // A short timeout (still roomy on a loaded machine), then longer idle in the pool, then a
      // call slower than that first timeout: it must get its own, longer one.
      assert.equal((await providerFetch('p', `${base}/ok`, {}, { timeoutMs: 400 })).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 500));
      const res = await providerFetch('p', `${base}/slow`, {}, { timeoutMs: 5000 });
      assert.deepEqual(res.body, { path: '/slow' });
    }
  });

  it('calls a refused connection a network error', async () => {
    const closed = await startServer();
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    const err = await providerFetch(
      'p',
      `http://127.0.0.1:${port}/ok`,
      {},
      { timeoutMs: 1000 },
    ).catch((e: unknown) => e);
    assert.ok(err instanceof TransientProviderError);
    assert.match(err.message, /^network error: /);
  });
});
