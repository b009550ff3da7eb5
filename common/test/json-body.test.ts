import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import express from 'express';
import { currentRequestId, requestContext } from '../src/request-context.js';
import { jsonBody } from '../src/json-body.js';

/** Echoes the parsed body and the request id it was parsed under, or the error body-parsing raised. */
function echoApp(strict = false): express.Express {
  const app = express();
  app.use(requestContext());
  app.use(jsonBody({ limitBytes: 64, strict }));
  app.post('/echo', (req, res) => {
    res.json({ body: req.body as unknown, requestId: currentRequestId() });
  });
  app.use(((err, _req, res, _next) => {
    res.status(err.status ?? 500).json({ type: err.type, requestId: currentRequestId() });
  }) as express.ErrorRequestHandler);
  return app;
}

/** POSTs `chunks` one by one, `pauseMs` apart, so the body arrives after the headers. */
function post(
  port: number,
  chunks: Buffer[],
  headers: Record<string, string>,
  pauseMs = 0,
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: 'POST', path: '/echo', headers },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.flushHeaders();
    void (async () => {
      for (const chunk of chunks) {
        await new Promise((r) => setTimeout(r, pauseMs));
        req.write(chunk);
      }
      req.end();
    })();
  });
}

const json = (text: string | Buffer, extra: Record<string, string> = {}) => {
  const body = Buffer.from(text);
  return {
    chunks: [body],
    headers: {
      'content-type': 'application/json',
      'content-length': String(body.length),
      ...extra,
    },
  };
};

describe('the JSON body reader', () => {
  let port: number;
  let close: () => void;
  before(async () => {
    const server = echoApp().listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
    close = () => server.close();
  });
  after(() => close());

  it('parses a body that arrives in pieces after the headers, within the request context', async () => {
    const text = Buffer.from('{"mobile":"+5511966191717","totp":"olá 🔐"}');
    // Split inside the emoji, so the pieces only decode together.
    const pieces = [text.subarray(0, 40), text.subarray(40)];
    const res = await post(
      port,
      pieces,
      {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(text.length),
        'x-request-id': 'late-body',
      },
      20,
    );
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, {
      body: { mobile: '+5511966191717', totp: 'olá 🔐' },
      requestId: 'late-body',
    });
  });

  it('drops a byte-order mark, as body-parser does', async () => {
    const { chunks, headers } = json(
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]),
    );
    assert.deepEqual((await post(port, chunks, headers)).body.body, { a: 1 });
  });

  it('takes any JSON value, not only objects (strict: false)', async () => {
    const { chunks, headers } = json('"text"');
    assert.equal((await post(port, chunks, headers)).body.body, 'text');
  });

  it('refuses malformed JSON as body-parser does, in the request context', async () => {
    const { chunks, headers } = json('{"a":', { 'x-request-id': 'bad-json' });
    assert.deepEqual(await post(port, chunks, headers), {
      status: 400,
      body: { type: 'entity.parse.failed', requestId: 'bad-json' },
    });
  });

  it('leaves a body over the limit to body-parser (413)', async () => {
    const { chunks, headers } = json(JSON.stringify({ a: 'x'.repeat(100) }));
    const res = await post(port, chunks, headers);
    assert.equal(res.status, 413);
    assert.equal(res.body.type, 'entity.too.large');
  });

  it('leaves other charsets to body-parser', async () => {
    const body = Buffer.from('{"a":"é"}', 'utf16le');
    const res = await post(port, [body], {
      'content-type': 'application/json; charset=utf-16le',
      'content-length': String(body.length),
    });
    assert.deepEqual(res.body.body, { a: 'é' });
    const latin = json('{"a":1}', { 'content-type': 'application/json; charset=latin1' });
    const refused = await post(port, latin.chunks, latin.headers);
    assert.equal(refused.status, 415);
    assert.equal(refused.body.type, 'charset.unsupported');
  });
});

describe('the JSON body reader, strict (the bridge: objects and arrays only)', () => {
  let port: number;
  let close: () => void;
  before(async () => {
    const server = echoApp(true).listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
    close = () => server.close();
  });
  after(() => close());

  it('takes an object or an array, after leading whitespace', async () => {
    const object = json(' \n{"a":1}');
    assert.deepEqual((await post(port, object.chunks, object.headers)).body.body, { a: 1 });
    const array = json('[1,2]');
    assert.deepEqual((await post(port, array.chunks, array.headers)).body.body, [1, 2]);
  });

  it('refuses any other JSON value as body-parser strict does (400 entity.parse.failed)', async () => {
    for (const text of ['"text"', '42', 'null', '  true', ' ']) {
      const { chunks, headers } = json(text, { 'x-request-id': 'strict' });
      assert.deepEqual(
        await post(port, chunks, headers),
        { status: 400, body: { type: 'entity.parse.failed', requestId: 'strict' } },
        `body ${JSON.stringify(text)}`,
      );
    }
  });
});
