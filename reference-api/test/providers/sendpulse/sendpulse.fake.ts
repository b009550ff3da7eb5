// An in-process SendPulse speaking the wire contract in shared/reference/providers.md §3:
// POST /oauth/access_token (client credentials → bearer token with expires_in) and
// POST /sms/send (bearer; sender, phones, body → result, campaign_id, counters).
// The error envelope {"error_code", "message"} and codes 707 / 2020202020 are from a secondary
// source (unverified); their HTTP statuses are the fake's choice, so adapters must branch on codes.
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  FailurePlan,
  hang,
  sendJson,
  startFakeServer,
  type FailureOptions,
  type ProviderFake,
  type RecordedRequest,
} from '../../fakes/fake-server.js';

/** A SendPulse fake plus the credentials it accepts and levers for the token lifecycle. */
export interface SendPulseFake extends ProviderFake {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly sender: string;
  /** Tokens the fake issued, oldest first. */
  readonly issuedTokens: readonly string[];
  /** Forgets every token issued so far, as when they expire: the next send with one gets 401. */
  expireTokens(): void;
  /** While on, every send gets 401 whatever the token (API access switched off under us). */
  refuseAllTokens(on: boolean): void;
}

/** Options of {@link startSendPulseFake}. */
export interface SendPulseFakeOptions {
  readonly clientId?: string;
  readonly clientSecret?: string;
  /** The one approved sender name. */
  readonly sender?: string;
  /** expires_in of the tokens it issues (SendPulse: 3600). */
  readonly tokenLifetimeSeconds?: number;
}

const UNAUTHORIZED = { message: 'Unauthorized!', error_code: 401 };
const PERMANENT_ANSWERS: Record<string, [number, string]> = {
  '707': [400, 'Insufficient balance'],
  '799': [400, 'Invalid date format'],
  '403': [403, 'Forbidden: the plan does not include SMS'],
  '422': [422, 'Validation error'],
};

/** Starts the fake on a loopback port. */
export async function startSendPulseFake(
  options: SendPulseFakeOptions = {},
): Promise<SendPulseFake> {
  const state = new SendPulseState(options);
  const server = await startFakeServer((req, res) => state.handle(req, res));
  return {
    url: server.url,
    requests: server.requests,
    clientId: state.clientId,
    clientSecret: state.clientSecret,
    sender: state.sender,
    issuedTokens: state.issued,
    failNext: (kind, failure) => state.plan.add(kind, failure),
    expireTokens: () => state.tokens.clear(),
    refuseAllTokens: (on) => (state.refuseAll = on),
    close: () => server.close(),
  };
}

class SendPulseState {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly sender: string;
  readonly plan = new FailurePlan();
  /** Live tokens and when they expire (epoch ms). */
  readonly tokens = new Map<string, number>();
  readonly issued: string[] = [];
  refuseAll = false;
  private campaignId = 2623085;

  constructor(private readonly options: SendPulseFakeOptions) {
    this.clientId = options.clientId ?? 'sp-client-id';
    this.clientSecret = options.clientSecret ?? 'sp-client-secret';
    this.sender = options.sender ?? 'MyBrand';
  }

  async handle(req: RecordedRequest, res: ServerResponse): Promise<void> {
    const path = req.url.split('?')[0];
    if (req.method === 'POST' && path === '/oauth/access_token') {
      return this.issueToken(req, res);
    }
    if (req.method === 'POST' && path === '/sms/send') {
      return this.sendSms(req, res);
    }
    sendJson(res, 404, { error_code: 404, message: 'Not found' });
  }

  private issueToken(req: RecordedRequest, res: ServerResponse): void {
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (body['grant_type'] !== 'client_credentials') {
      return sendJson(res, 400, {
        error: 'unsupported_grant_type',
        error_description: 'The authorization grant type is not supported',
        message: 'The authorization grant type is not supported',
      });
    }
    if (body['client_id'] !== this.clientId || body['client_secret'] !== this.clientSecret) {
      return sendJson(res, 401, {
        error: 'invalid_client',
        error_description: 'Client authentication failed',
        message: 'Client authentication failed',
      });
    }
    const token = randomBytes(24).toString('hex');
    const lifetime = this.options.tokenLifetimeSeconds ?? 3600;
    this.tokens.set(token, Date.now() + lifetime * 1000);
    this.issued.push(token);
    sendJson(res, 200, { token_type: 'Bearer', expires_in: lifetime, access_token: token });
  }

  private async sendSms(req: RecordedRequest, res: ServerResponse): Promise<void> {
    if (!this.authorized(req)) {
      return sendJson(res, 401, UNAUTHORIZED);
    }
    const failure = this.plan.take();
    if (failure) {
      return fail(res, failure.kind, failure.options);
    }
    const problem = invalidSend(req.body, this.sender);
    if (problem) {
      return sendJson(res, 422, { error_code: 422, message: problem });
    }
    const phones = phonesOf((req.body as Record<string, unknown>)['phones']) ?? [];
    sendJson(res, 200, {
      result: true,
      campaign_id: this.campaignId++,
      counters: { exceptions: 0, sends: phones.length },
    });
  }

  private authorized(req: RecordedRequest): boolean {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const expiresAt = token ? this.tokens.get(token) : undefined;
    return !this.refuseAll && expiresAt !== undefined && expiresAt > Date.now();
  }
}

async function fail(res: ServerResponse, kind: string, options: FailureOptions): Promise<void> {
  if (kind === 'timeout') {
    return hang(res);
  }
  if (kind === 'transient') {
    return sendJson(res, 500, { error_code: 500, message: 'Internal Server Error' });
  }
  if (kind === 'rate_limited') {
    // No Retry-After: SendPulse documents none. 2020202020 ("over 10 requests a second") on request.
    const code = options.code === '2020202020' ? 2020202020 : 429;
    return sendJson(res, code === 429 ? 429 : 400, {
      error_code: code,
      message: 'Too many requests',
    });
  }
  const [status, message] = PERMANENT_ANSWERS[options.code ?? '707'] ?? [400, 'Bad request'];
  sendJson(res, status, { error_code: Number(options.code ?? 707), message });
}

/** Why a /sms/send body is refused, or undefined when it is well formed. */
function invalidSend(body: unknown, approvedSender: string): string | undefined {
  if (!body || typeof body !== 'object') {
    return 'body must be JSON';
  }
  const b = body as Record<string, unknown>;
  if (b['sender'] !== approvedSender) {
    return 'sender is not an approved sender name';
  }
  if (typeof b['body'] !== 'string' || !b['body']) {
    return 'body is required';
  }
  const phones = phonesOf(b['phones']);
  if (!phones?.length) {
    return 'phones must be a non-empty list';
  }
  if (
    !phones.every(
      (p) => (typeof p === 'string' || typeof p === 'number') && /^\d{7,15}$/.test(String(p)),
    )
  ) {
    return 'phones must be international numbers, digits only';
  }
  return undefined;
}

// The official Node SDK sends phones as a JSON string inside the JSON body; SendPulse takes both.
function phonesOf(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) {
    return value;
  }
  if (typeof value !== 'string') {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
