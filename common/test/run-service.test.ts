import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { ConfigError } from '../src/config-error.js';
import { RedisStartError } from '../src/redis-start.js';
import { startFailure } from '../src/run-service.js';

/** The error Node gives when a port is taken, from a real second listen. */
async function addressInUse(): Promise<unknown> {
  const first = createServer().listen(0, '127.0.0.1');
  await new Promise((done) => first.once('listening', done));
  const port = (first.address() as { port: number }).port;
  const second = createServer().listen(port, '127.0.0.1');
  const err = await new Promise((done) => second.once('error', done));
  first.close();
  return err;
}

describe('what a service prints when it cannot start', () => {
  it('says in one line that the port is taken and which variable moves it, instead of a stack trace', async () => {
    const line = startFailure(await addressInUse(), 'BRIDGE_PORT');
    assert.equal(typeof line, 'string');
    assert.match(
      line as string,
      /^port \d+ is already in use: stop what listens there, or set BRIDGE_PORT to another port$/,
    );
  });

  it('prints the list of configuration problems as they are', () => {
    const err = new ConfigError(['REDIS_URL: not a URL']);
    assert.equal(startFailure(err, 'BRIDGE_PORT'), err.message);
  });

  it('prints a Redis it cannot reach at start as the one line that says why', () => {
    const err = new RedisStartError('Redis at rediss://***@cache:6380 refused the password');
    assert.equal(startFailure(err, 'BRIDGE_PORT'), err.message);
  });

  it('leaves any other error whole, for the stack trace a bug deserves', () => {
    const err = new TypeError('boom');
    assert.equal(startFailure(err, 'BRIDGE_PORT'), err);
  });
});
