// In-process Telegram APIs speaking the wire contracts in shared/reference/providers.md §4:
// - the Gateway API (POST /sendVerificationMessage, bearer or access_token; RequestStatus; signed
//   delivery reports), whose only documented error string is ACCESS_TOKEN_INVALID: the others
//   below are the fake's own, and the HTTP status of an ok:false answer is undocumented (400 here);
// - the Bot API (POST /bot<token>/sendMessage; {ok, error_code, description, parameters}).
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  FailurePlan,
  hang,
  sendJson,
  startFakeServer,
  type FailureKind,
  type FailureOptions,
  type ProviderFake,
  type RecordedRequest,
} from '../../fakes/fake-server.js';

/** A delivery report as the Gateway POSTs it to a callback_url: headers and the raw body. */
export interface GatewayReport {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The Gateway fake: its token, and the signed report it would send for a request. */
export interface TelegramGatewayFake extends ProviderFake {
  readonly token: string;
  /** The signed report for `requestId` moving to `status`, as the Gateway would POST it at `at`. */
  report(
    requestId: string,
    status: 'sent' | 'delivered' | 'read' | 'expired' | 'revoked',
    at?: Date,
  ): GatewayReport;
}

/** Starts a Gateway fake on a loopback port. Its `rate_limited` failure does not exist: the Gateway documents no 429. */
export async function startTelegramGatewayFake(
  token = `gw-${randomBytes(16).toString('hex')}`,
): Promise<TelegramGatewayFake> {
  const gateway = new GatewayState(token);
  const server = await startFakeServer((req, res) => gateway.handle(req, res));
  return {
    url: server.url,
    requests: server.requests,
    token,
    failNext: (kind, options) => gateway.failNext(kind, options),
    report: (requestId, status, at) => gateway.report(requestId, status, at ?? new Date()),
    close: () => server.close(),
  };
}

/** Query string, then JSON or form body: the Gateway and Bot API take parameters in any of them. */
function paramsOf(req: RecordedRequest): Record<string, unknown> {
  const query = Object.fromEntries(new URL(req.url, 'http://fake').searchParams);
  const body =
    req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
  return { ...query, ...body };
}

interface SentRequest {
  readonly request_id: string;
  readonly phone_number: string;
  readonly request_cost: number;
  readonly payload?: string;
}

class GatewayState {
  private readonly plan = new FailurePlan();
  private readonly sent = new Map<string, SentRequest>();

  constructor(private readonly token: string) {}

  failNext(kind: FailureKind, options?: FailureOptions): void {
    if (kind === 'rate_limited') {
      throw new TypeError('the Telegram Gateway documents no rate-limit answer');
    }
    this.plan.add(kind, options);
  }

  async handle(req: RecordedRequest, res: ServerResponse): Promise<void> {
    const method = new URL(req.url, 'http://fake').pathname.slice(1).toLowerCase(); // method names are case-insensitive
    const params = paramsOf(req);
    if (!this.authorized(req, params)) {
      return refuse(res, 'ACCESS_TOKEN_INVALID');
    }
    if (method !== 'sendverificationmessage') {
      return sendJson(res, 404, { ok: false, error: 'METHOD_NOT_FOUND' });
    }
    const failure = this.plan.take();
    if (failure?.kind === 'timeout') {
      return hang(res);
    }
    if (failure?.kind === 'transient') {
      return badGateway(res);
    }
    if (failure) {
      return refuse(res, failure.options.code ?? 'PHONE_NUMBER_INVALID');
    }
    const problem = invalidVerification(params);
    if (problem) {
      return refuse(res, problem);
    }
    sendJson(res, 200, { ok: true, result: { ...this.accept(params), remaining_balance: 99.99 } });
  }

  report(requestId: string, status: string, at: Date): GatewayReport {
    const sent = this.sent.get(requestId);
    if (!sent) {
      throw new TypeError(`the fake sent no request ${requestId}`);
    }
    const updatedAt = Math.floor(at.getTime() / 1000);
    const body = JSON.stringify({ ...sent, delivery_status: { status, updated_at: updatedAt } });
    const timestamp = String(updatedAt);
    // The documented check, computed here independently of the adapter's code.
    const key = createHash('sha256').update(this.token).digest();
    const signature = createHmac('sha256', key).update(`${timestamp}\n${body}`).digest('hex');
    return {
      headers: {
        'content-type': 'application/json',
        'x-request-timestamp': timestamp,
        'x-request-signature': signature,
      },
      body,
    };
  }

  private authorized(req: RecordedRequest, params: Record<string, unknown>): boolean {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    return (bearer ?? params['access_token']) === this.token;
  }

  private accept(params: Record<string, unknown>): SentRequest {
    const request: SentRequest = {
      request_id: randomBytes(8).toString('hex'),
      phone_number: String(params['phone_number']),
      request_cost: 0.01,
      ...(typeof params['payload'] === 'string' ? { payload: params['payload'] } : {}),
    };
    this.sent.set(request.request_id, request);
    return request;
  }
}

/** The fake's error string for a malformed sendVerificationMessage, or undefined when it is well formed. */
function invalidVerification(p: Record<string, unknown>): string | undefined {
  if (typeof p['phone_number'] !== 'string' || !/^\+?[1-9]\d{6,14}$/.test(p['phone_number'])) {
    return 'PHONE_NUMBER_INVALID';
  }
  if (p['code'] !== undefined && !/^\d{4,8}$/.test(String(p['code']))) {
    return 'CODE_INVALID';
  }
  if (p['code_length'] !== undefined && !/^[4-8]$/.test(String(p['code_length']))) {
    return 'CODE_LENGTH_INVALID';
  }
  const ttl = Number(p['ttl'] ?? 60);
  if (!Number.isInteger(ttl) || ttl < 30 || ttl > 3600) {
    return 'TTL_INVALID';
  }
  const callback = p['callback_url'];
  if (
    callback !== undefined &&
    (typeof callback !== 'string' ||
      !callback.startsWith('https://') ||
      Buffer.byteLength(callback) > 256)
  ) {
    return 'CALLBACK_URL_INVALID';
  }
  if (p['payload'] !== undefined && Buffer.byteLength(String(p['payload'])) > 128) {
    return 'PAYLOAD_TOO_LONG';
  }
  // request_id only names a checkSendAbility request, which this fake never issues.
  if (p['request_id'] !== undefined) {
    return 'REQUEST_ID_INVALID';
  }
  return undefined;
}

function refuse(res: ServerResponse, error: string): void {
  sendJson(res, 400, { ok: false, error });
}

// What a failing edge in front of an API typically answers: not JSON at all.
function badGateway(res: ServerResponse): void {
  res.writeHead(502, { 'content-type': 'text/html' });
  res.end('<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>');
}

/** The Bot API fake: its token, and which chats have started (or blocked) the bot. */
export interface TelegramBotFake extends ProviderFake {
  readonly token: string;
  /** A user who sent /start: the bot may now message this chat. */
  startChat(chatId: number): void;
  /** The user blocked the bot: sends to the chat get 403. */
  blockChat(chatId: number): void;
}

/** Starts a Bot API fake on a loopback port. */
export async function startTelegramBotFake(
  token = `${100000 + Math.floor(Math.random() * 900000)}:AA${randomBytes(16).toString('hex')}`,
): Promise<TelegramBotFake> {
  const bot = new BotState(token);
  const server = await startFakeServer((req, res) => bot.handle(req, res));
  return {
    url: server.url,
    requests: server.requests,
    token,
    failNext: (kind, options) => bot.plan.add(kind, options),
    startChat: (chatId) => bot.chats.set(String(chatId), 'started'),
    blockChat: (chatId) => bot.chats.set(String(chatId), 'blocked'),
    close: () => server.close(),
  };
}

class BotState {
  readonly plan = new FailurePlan();
  readonly chats = new Map<string, 'started' | 'blocked'>();
  private messageId = 1;

  constructor(private readonly token: string) {}

  async handle(req: RecordedRequest, res: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url, 'http://fake').pathname);
    if (!match || match[1] !== this.token) {
      return botError(res, 401, 'Unauthorized');
    }
    if (match[2]!.toLowerCase() !== 'sendmessage') {
      return botError(res, 404, 'Not Found');
    }
    const failure = this.plan.take();
    if (failure) {
      return botFailure(res, failure.kind, failure.options);
    }
    const { chat_id: chatId, text } = paramsOf(req);
    const problem = this.refusal(chatId, text);
    if (problem) {
      return botError(res, problem[0], problem[1]);
    }
    const date = Math.floor(Date.now() / 1000);
    const chat = { id: Number(chatId), type: 'private' };
    sendJson(res, 200, {
      ok: true,
      result: {
        message_id: this.messageId++,
        from: {
          id: Number(this.token.split(':')[0]),
          is_bot: true,
          first_name: 'Fake',
          username: 'fake_bot',
        },
        chat,
        date,
        text,
      },
    });
  }

  private refusal(chatId: unknown, text: unknown): [number, string] | undefined {
    if (chatId === undefined || chatId === '') {
      return [400, 'Bad Request: chat_id is empty'];
    }
    if (typeof text !== 'string' || !text) {
      return [400, 'Bad Request: message text is empty'];
    }
    if (text.length > 4096) {
      return [400, 'Bad Request: message is too long'];
    }
    const chat = this.chats.get(String(chatId));
    if (!chat) {
      return [400, 'Bad Request: chat not found'];
    }
    if (chat === 'blocked') {
      return [403, 'Forbidden: bot was blocked by the user'];
    }
    return undefined;
  }
}

async function botFailure(
  res: ServerResponse,
  kind: FailureKind,
  options: FailureOptions,
): Promise<void> {
  if (kind === 'timeout') {
    return hang(res);
  }
  if (kind === 'transient') {
    return botError(res, 502, 'Bad Gateway');
  }
  if (kind === 'permanent') {
    return botError(res, 403, 'Forbidden: bot was blocked by the user');
  }
  const seconds = options.retryAfterSeconds ?? 5;
  sendJson(res, 429, {
    ok: false,
    error_code: 429,
    description: `Too Many Requests: retry after ${seconds}`,
    parameters: { retry_after: seconds },
  });
}

function botError(res: ServerResponse, status: number, description: string): void {
  sendJson(res, status, { ok: false, error_code: status, description });
}
