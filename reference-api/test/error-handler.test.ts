import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { createLogger } from '@sms-mfa/common/logger';
import { requestContext } from '@sms-mfa/common/request-context';
import { ApiError, CATALOGUE } from '../src/errors.js';
import { errorHandler } from '../src/http/error-handler.js';

/** An app whose routes throw what the test names, answered by the one error handler. */
function throwingApp(): express.Express {
  const app = express();
  app.use(requestContext());
  app.get('/redis-down', () => {
    throw new Error('Connection is closed.');
  });
  app.get('/refused', () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), {
      code: 'ECONNREFUSED',
    });
  });
  app.get('/forbidden', () => {
    throw new ApiError('FORBIDDEN', 'scope messages:send is missing');
  });
  app.get('/bug', () => {
    throw new TypeError('x is undefined');
  });
  app.use(errorHandler(createLogger('test', 'silent')));
  return app;
}

describe('the error handler', () => {
  let url: string;
  let close: () => void;
  before(async () => {
    const server = throwingApp().listen(0, '127.0.0.1');
    await once(server, 'listening');
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  after(() => close());

  for (const path of ['/redis-down', '/refused']) {
    it(`answers 503 UNAVAILABLE with Retry-After 5 when Redis cannot be reached (${path})`, async () => {
      const res = await fetch(`${url}${path}`);
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '5');
      assert.equal(body['code'], 'UNAVAILABLE');
      // A 5xx never exposes its message (AppError.expose), so ioredis' text cannot leak either.
      assert.equal(body['message'], 'internal error');
      assert.ok(body['requestId']);
    });
  }

  it('takes the status of a coded error from the catalogue', async () => {
    const res = await fetch(`${url}/forbidden`);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, CATALOGUE.FORBIDDEN.status);
    assert.equal(res.status, 403);
    assert.equal(body['message'], 'scope messages:send is missing');
  });

  it('answers anything else 500 INTERNAL without its message', async () => {
    const res = await fetch(`${url}/bug`);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(res.status, 500);
    assert.deepEqual([body['code'], body['message']], ['INTERNAL', 'internal error']);
  });
});
