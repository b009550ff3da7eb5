import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a fake provider received, as it arrived. */
export interface RecordedRequest {
  readonly method: string;
  /** Path with query string. */
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly rawBody: string;
  /** Parsed JSON or form body; undefined when neither. */
  readonly body: unknown;
  readonly at: number;
}

/** Ways a fake can be told to fail the next sends; each fake maps them onto its provider's real answers. */
export type FailureKind = 'permanent' | 'transient' | 'rate_limited' | 'timeout';

/** Options for a scheduled failure. */
export interface FailureOptions {
  /** How many sends fail this way (default 1). */
  readonly times?: number;
  /** For rate_limited: the provider's retry hint. */
  readonly retryAfterSeconds?: number;
  /** The provider's own error code to answer with (otherwise the fake's typical one). */
  readonly code?: string;
}

/** What every provider fake offers a test. */
export interface ProviderFake {
  readonly url: string;
  readonly requests: RecordedRequest[];
  failNext(kind: FailureKind, options?: FailureOptions): void;
  close(): Promise<void>;
}

/** A queue of scheduled failures, consumed one per send. */
export class FailurePlan {
  private readonly plan: { kind: FailureKind; options: FailureOptions }[] = [];

  add(kind: FailureKind, options: FailureOptions = {}): void {
    for (let i = 0; i < (options.times ?? 1); i++) {
      this.plan.push({ kind, options });
    }
  }

  /** The failure for this send, if one is scheduled. */
  take(): { kind: FailureKind; options: FailureOptions } | undefined {
    return this.plan.shift();
  }
}

/** A handler gets the recorded request and writes the answer. */
export type FakeHandler = (request: RecordedRequest, res: ServerResponse) => void | Promise<void>;

/** Starts an HTTP server on loopback that records every request and hands it to `handler`. */
export async function startFakeServer(
  handler: FakeHandler,
): Promise<{ url: string; requests: RecordedRequest[]; close(): Promise<void> }> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      rawBody,
      body: parseBody(req.headers['content-type'], rawBody),
      at: Date.now(),
    };
    requests.push(recorded);
    try {
      await handler(recorded, res);
    } catch (err) {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
      }
      res.end(JSON.stringify({ error: String(err) }));
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function parseBody(contentType: string | undefined, raw: string): unknown {
  if (!raw) {
    return undefined;
  }
  if (contentType?.includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Writes a JSON answer. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Holds the answer back long enough for the caller's timeout to fire. */
export async function hang(res: ServerResponse, ms = 5000): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms).unref());
  if (!res.writableEnded) {
    res.end();
  }
}
