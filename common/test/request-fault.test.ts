import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { Request } from 'express';
import { requestFault } from '../src/request-fault.js';

const request = (headers: Record<string, string> = {}) =>
  ({ get: (name: string) => headers[name.toLowerCase()] }) as unknown as Request;

/** An error as Express's router or body-parser hands it on: the original, given an HTTP status. */
const withStatus = <E extends Error>(err: E, status: number, extra: object = {}) =>
  Object.assign(err, { status, statusCode: status, expose: true }, extra);

const zlibError = () => {
  try {
    gunzipSync(Buffer.from('{"a":1}'));
  } catch (err) {
    return err as Error;
  }
  throw new TypeError('plain JSON gunzipped');
};

describe('requests Express or body-parser could not read', () => {
  it('blames the path for a percent-escape the router could not decode', () => {
    const fault = requestFault(
      withStatus(new URIError("Failed to decode param '%ZZ'"), 400),
      request(),
    );
    assert.equal(fault?.status, 400);
    assert.equal(fault?.issue.field, 'path');
  });

  it('blames the body for data that is not in the Content-Encoding it claims', () => {
    const fault = requestFault(
      withStatus(zlibError(), 400),
      request({ 'content-encoding': 'GZIP' }),
    );
    assert.equal(fault?.status, 400);
    assert.deepEqual(fault?.issue, { field: 'body', message: 'is not gzip data' });
  });

  it('names a Content-Encoding body-parser cannot decode, as 415', () => {
    const err = withStatus(new Error('unsupported content encoding "compress"'), 415, {
      type: 'encoding.unsupported',
      encoding: 'compress',
    });
    const fault = requestFault(err, request({ 'content-encoding': 'compress' }));
    assert.equal(fault?.status, 415);
    assert.match(fault?.message ?? '', /"compress" is not supported/);
  });

  it('leaves every other error alone, whoever raised it', () => {
    for (const err of [
      new Error('boom'),
      new URIError('a bug of ours'),
      withStatus(new Error('Bad Request'), 400),
      withStatus(new Error('request aborted'), 400, { type: 'request.aborted' }),
      'not an error',
    ]) {
      assert.equal(requestFault(err, request()), undefined, String(err));
    }
  });
});
