import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { HttpCallError, httpCall } from '../src/http-client.js';

const servers: (Server | HttpServer)[] = [];
const sockets = new Set<Socket>();
after(() => {
  for (const server of servers) {
    server.close();
  }
  for (const socket of sockets) {
    socket.destroy();
  }
});

async function listen<S extends Server | HttpServer>(server: S): Promise<string> {
  servers.push(server);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

const OK = (text: string) =>
  `HTTP/1.1 200 OK\r\nContent-Length: ${text.length}\r\nConnection: keep-alive\r\n\r\n${text}`;

/**
 * A server that answers the first request on each connection, then resets the connection when a
 * second request comes on it: a kept-alive socket the server dropped just as the client reused it.
 * `connections` counts the connections it accepted.
 */
function resettingServer(answer: (connection: number) => string | undefined) {
  let connections = 0;
  const server = createServer((socket: Socket) => {
    const connection = ++connections;
    let answered = false;
    socket.on('data', (chunk: Buffer) => {
      if (!chunk.includes('\r\n\r\n')) {
        return;
      }
      const text = answer(connection);
      if (answered || text === undefined) {
        socket.resetAndDestroy();
        return;
      }
      answered = true;
      socket.write(OK(text));
    });
    socket.on('error', () => {});
  });
  return { server, connections: () => connections };
}

describe('HTTP calls between services and to providers', () => {
  it('sends a call again on a new connection when the server reset the kept-alive one it went out on', async () => {
    const { server, connections } = resettingServer((n) => `connection ${n}`);
    const url = await listen(server);
    const first = await httpCall(url, { method: 'POST', body: '{}', timeoutMs: 2000 });
    assert.equal(first.text, 'connection 1');
    const second = await httpCall(url, { method: 'POST', body: '{}', timeoutMs: 2000 });
    assert.deepEqual([second.status, second.text], [200, 'connection 2']);
    assert.equal(connections(), 2);
  });

  it('does not send a call again when a new connection is reset: the server may have read it', async () => {
    const { server, connections } = resettingServer(() => undefined);
    const url = await listen(server);
    await assert.rejects(
      httpCall(url, { method: 'POST', body: '{}', timeoutMs: 2000 }),
      (err: unknown) => err instanceof HttpCallError && err.reason === 'network',
    );
    assert.equal(connections(), 1);
  });

  it("closes an idle connection before the server's announced keep-alive timeout instead of reusing it", async () => {
    let connections = 0;
    const server = createHttpServer((_req, res) => res.end('ok'));
    server.keepAliveTimeout = 2000; // announced as Keep-Alive: timeout=2; the client keeps it 1 s
    server.on('connection', () => connections++);
    const url = await listen(server);
    const first = await httpCall(url, { timeoutMs: 2000 });
    assert.equal(first.headers.get('keep-alive'), 'timeout=2');
    await httpCall(url, { timeoutMs: 2000 });
    assert.equal(connections, 1, 'a call right after another reuses its connection');
    await sleep(1300);
    await httpCall(url, { timeoutMs: 2000 });
    assert.equal(connections, 2, 'a connection idle past the hint was not reused');
  });
});
