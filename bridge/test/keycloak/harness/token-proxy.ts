// A token endpoint in front of the bridge's own, which can be told to answer the ways a real one
// might: for the script's token handling (what it stores, when it retries, what it logs).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * pass: the bridge's answer as it is. no-expiry / short-expiry: a good token whose expires_in is
 * missing, or 20 s. refused-token: 200 with a token the bridge will refuse. bad-gateway: 502 with
 * an HTML page, as a proxy in front of a dead issuer answers.
 */
export type TokenProxyMode =
  'pass' | 'no-expiry' | 'short-expiry' | 'refused-token' | 'bad-gateway';

/** The running proxy: its URL, what it was told, and how often it was called. */
export class TokenProxy {
  mode: TokenProxyMode = 'pass';
  calls = 0;
  url = '';
  #server: Server | undefined;

  constructor(private readonly upstream: string) {}

  /** Listens on a free loopback port. */
  async start(): Promise<this> {
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.calls++;
        void this.#answer(req.headers, Buffer.concat(chunks)).then(({ status, type, body }) =>
          res.writeHead(status, { 'content-type': type }).end(body),
        );
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/token`;
    return this;
  }

  /** Stops listening. */
  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.#server ? this.#server.close(() => resolve()) : resolve(),
    );
  }

  async #answer(
    headers: Record<string, string | string[] | undefined>,
    body: Buffer,
  ): Promise<{ status: number; type: string; body: string }> {
    if (this.mode === 'bad-gateway') {
      return { status: 502, type: 'text/html', body: '<html><body>502 Bad Gateway</body></html>' };
    }
    const res = await fetch(this.upstream, {
      method: 'POST',
      headers: {
        authorization: String(headers['authorization'] ?? ''),
        'content-type': String(headers['content-type'] ?? ''),
      },
      body,
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status === 200) {
      if (this.mode === 'no-expiry') {
        delete json['expires_in'];
      }
      if (this.mode === 'short-expiry') {
        json['expires_in'] = 20;
      }
      if (this.mode === 'refused-token') {
        json['access_token'] = 'not-a-token-the-bridge-signed';
      }
    }
    return { status: res.status, type: 'application/json', body: JSON.stringify(json) };
  }
}
