// An in-process Vonage speaking the wire contract of shared/reference/providers.md §2:
// POST /sms/json (SMS API: form or JSON, api_key/api_secret in the body or Basic auth, HTTP 200 with a
// per-message status even on failure) and POST /v1/messages (Messages API: Basic auth, JSON, 202 or RFC 7807).
import { randomBytes, randomUUID } from 'node:crypto';
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

/** The account the fake accepts. */
export interface VonageAccount {
  readonly apiKey: string;
  readonly apiSecret: string;
}

/** The default account, matching the contract test's environment. */
export const FAKE_VONAGE_ACCOUNT: VonageAccount = {
  apiKey: 'abcd1234',
  apiSecret: 'abcdef0123456789',
};

type Params = Record<string, string>;

/** The fake, plus the ids it handed out: per accepted send, the SMS part ids or the one message_uuid. */
export interface VonageFake extends ProviderFake {
  readonly accepted: string[][];
}

/** Starts the fake on a loopback port. */
export async function startVonageFake(
  account: VonageAccount = FAKE_VONAGE_ACCOUNT,
): Promise<VonageFake> {
  const plan = new FailurePlan();
  const accepted: string[][] = [];
  const server = await startFakeServer(async (request, res) => {
    const path = new URL(request.url, 'http://fake').pathname;
    if (request.method === 'POST' && path === '/sms/json') {
      return smsApi(request, res, account, plan, accepted);
    }
    if (request.method === 'POST' && path === '/v1/messages') {
      return messagesApi(request, res, account, plan, accepted);
    }
    problem(res, 404, {
      type: '#not-found',
      title: 'Not Found',
      detail: `${request.method} ${path} does not exist`,
    });
  });
  return { ...server, accepted, failNext: (kind, options) => plan.add(kind, options) };
}

// --- SMS API -----------------------------------------------------------------------------------

/** Query, form or JSON: the SMS API takes its parameters any of these ways. */
function smsParams(request: RecordedRequest): Params {
  const query = Object.fromEntries(new URL(request.url, 'http://fake').searchParams);
  const body =
    request.body && typeof request.body === 'object'
      ? (request.body as Record<string, unknown>)
      : {};
  const params: Params = { ...query };
  for (const [key, value] of Object.entries(body)) {
    if (value !== undefined && value !== null) {
      params[key] = String(value);
    }
  }
  return params;
}

/** The SMS API answers 200 with one message entry carrying the failure status. */
function smsError(res: ServerResponse, status: string, errorText: string, to?: string): void {
  sendJson(res, 200, {
    'message-count': '1',
    messages: [{ ...(to ? { to } : {}), status, 'error-text': errorText }],
  });
}

function basicCredentials(header: string | undefined): { key?: string; secret?: string } {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!match) {
    return {};
  }
  const [key, ...secret] = Buffer.from(match[1]!, 'base64').toString('utf8').split(':');
  return { key, secret: secret.join(':') };
}

type Rejection = [status: string, errorText: string] | undefined;

/** Credentials first, as the real API reports them: body fields or Basic auth, never both secret and sig. */
function credentialsRejected(
  request: RecordedRequest,
  params: Params,
  account: VonageAccount,
): Rejection {
  const basic = basicCredentials(request.headers.authorization);
  const key = params['api_key'] ?? basic.key;
  const secret = params['api_secret'] ?? basic.secret;
  if (!key) {
    return ['2', 'Missing api_key'];
  }
  if (params['sig'] && params['api_secret']) {
    return ['32', 'Signature and API secret disallowed'];
  }
  if (!secret) {
    return ['2', 'Missing api_secret'];
  }
  if (key !== account.apiKey || secret !== account.apiSecret) {
    return ['4', 'Bad Credentials'];
  }
  return undefined;
}

const SMS_TYPES = ['text', 'unicode', 'binary', 'wappush', 'vcal', 'vcard'];

/** Then the fields, against the spec's NewMessage schema. */
function fieldsRejected(params: Params): Rejection {
  const ttl = params['ttl'] === undefined ? undefined : Number(params['ttl']);
  if (!params['from']) {
    return ['2', 'Missing from param'];
  }
  if (!params['to']) {
    return ['2', 'Missing to param'];
  }
  if (!/^\d{7,15}$/.test(params['to'])) {
    return ['3', 'Invalid to param'];
  }
  if (!params['text']) {
    return ['2', 'Missing text param'];
  }
  if (params['type'] && !SMS_TYPES.includes(params['type'])) {
    return ['3', 'Invalid type param'];
  }
  if (ttl !== undefined && !(Number.isInteger(ttl) && ttl >= 20_000 && ttl <= 604_800_000)) {
    return ['3', 'Invalid ttl param'];
  }
  if ((params['client-ref'] ?? '').length > 40) {
    return ['3', 'Invalid client-ref param'];
  }
  if (params['callback'] && !URL.canParse(params['callback'])) {
    return ['23', 'Invalid Callback Url'];
  }
  return undefined;
}

const SMS_FAILURE_TEXT: Record<string, string> = {
  '1': 'Throttled',
  '5': 'Internal Error',
  '6': 'Invalid Message',
  '7': 'Number Barred',
  '9': 'Partner Quota Exceeded',
  '29': 'Non White-listed Destination - rejected',
};

async function smsApi(
  request: RecordedRequest,
  res: ServerResponse,
  account: VonageAccount,
  plan: FailurePlan,
  accepted: string[][],
): Promise<void> {
  const params = smsParams(request);
  const rejection = credentialsRejected(request, params, account) ?? fieldsRejected(params);
  if (rejection) {
    return smsError(res, ...rejection, params['to']);
  }
  const failure = plan.take();
  if (failure) {
    return smsFailure(res, failure, params['to']);
  }
  const answer = smsAccepted(params);
  accepted.push(answer.messages.map((m) => m['message-id'] ?? ''));
  sendJson(res, 200, answer);
}

/**
 * Scheduled failures as the SMS API shows them: permanent → status 6 (or the given code), transient →
 * status 5 (a three-digit code means that HTTP status instead), rate_limited → status 1 "Throttled".
 */
async function smsFailure(
  res: ServerResponse,
  failure: { kind: string; options: FailureOptions },
  to: string | undefined,
): Promise<void> {
  const code = failure.options.code;
  if (failure.kind === 'timeout') {
    return hang(res);
  }
  if (code && /^\d{3}$/.test(code)) {
    return sendJson(res, Number(code), { error: 'Internal Server Error' });
  }
  const status = code ?? { permanent: '6', transient: '5', rate_limited: '1' }[failure.kind] ?? '5';
  smsError(res, status, SMS_FAILURE_TEXT[status] ?? 'Error', to);
}

/** The real success shape; long texts come back as one entry per part. */
function smsAccepted(params: Params): {
  'message-count': string;
  messages: Record<string, string | undefined>[];
} {
  const parts = partCount(params['text'] ?? '', params['type'] === 'unicode');
  const messages = Array.from({ length: parts }, () => ({
    to: params['to'],
    'message-id': randomBytes(8).toString('hex').toUpperCase(),
    status: '0',
    'remaining-balance': '3.14159265',
    'message-price': '0.03330000',
    network: '12345',
    ...(params['client-ref'] ? { 'client-ref': params['client-ref'] } : {}),
  }));
  return { 'message-count': String(parts), messages };
}

function partCount(text: string, unicode: boolean): number {
  const length = [...text].length;
  const [single, multi] = unicode ? [70, 67] : [160, 153];
  return length <= single ? 1 : Math.ceil(length / multi);
}

// --- Messages API ------------------------------------------------------------------------------

interface Problem {
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly [extra: string]: unknown;
}

/** An RFC 7807 answer; `type` is the suffix after https://developer.nexmo.com/api-errors. */
function problem(res: ServerResponse, status: number, body: Problem, headers: Params = {}): void {
  const instance = randomUUID();
  const type = `https://developer.nexmo.com/api-errors${body.type}`;
  res.writeHead(status, {
    'content-type': 'application/problem+json',
    'x-request-id': instance,
    ...headers,
  });
  res.end(JSON.stringify({ ...body, type, instance }));
}

const UNAUTHORIZED: Problem = {
  type: '#unathorized',
  title: 'You did not provide correct credentials.',
  detail:
    'Check that you are using the correct credentials, and that your account has this feature enabled',
};

function invalidParams(res: ServerResponse, [name, reason]: [string, string]): void {
  const detail = 'The value of one or more parameters is invalid.';
  const body = { type: '/messages#1150', title: 'Invalid params', detail };
  problem(res, 422, { ...body, invalid_parameters: [{ name, reason }] });
}

const CHANNELS = ['sms', 'whatsapp', 'mms', 'rcs', 'viber_service', 'messenger'];

/** Checks a text or custom send the way the Messages API does: the bad parameter and why. */
function messagesRejected(body: Record<string, unknown>): [string, string] | undefined {
  const { channel, to, from, client_ref: ref, message_type: type } = body;
  if (!CHANNELS.includes(String(channel))) {
    return ['channel', 'Unsupported channel'];
  }
  if (typeof to !== 'string' || !/^\d{7,15}$/.test(to)) {
    return ['to', 'Invalid recipient'];
  }
  if (typeof from !== 'string' || !from) {
    return ['from', 'Invalid sender'];
  }
  if (typeof ref === 'string' && ref.length > 100) {
    return ['client_ref', 'Invalid client reference'];
  }
  if (type === 'text') {
    return typeof body['text'] === 'string' && body['text'] ? undefined : ['text', 'Is required'];
  }
  if (type === 'custom') {
    return body['custom'] && typeof body['custom'] === 'object'
      ? undefined
      : ['custom', 'Is required'];
  }
  return ['message_type', 'Invalid message type'];
}

async function messagesApi(
  request: RecordedRequest,
  res: ServerResponse,
  account: VonageAccount,
  plan: FailurePlan,
  accepted: string[][],
): Promise<void> {
  const basic = basicCredentials(request.headers.authorization);
  if (basic.key !== account.apiKey || basic.secret !== account.apiSecret) {
    return problem(res, 401, UNAUTHORIZED);
  }
  const body = request.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    const detail = 'Unexpected character';
    return problem(res, 422, {
      type: '#invalid-json',
      title: 'The request body did not contain valid JSON',
      detail,
    });
  }
  const rejection = messagesRejected(body as Record<string, unknown>);
  if (rejection) {
    return invalidParams(res, rejection);
  }
  const failure = plan.take();
  if (failure) {
    return messagesFailure(res, failure);
  }
  const uuid = randomUUID();
  accepted.push([uuid]);
  sendJson(res, 202, { message_uuid: uuid }, { 'x-request-id': randomUUID() });
}

/** Scheduled failures as the Messages API shows them: 422, 500 (or the given code), 429 with Retry-After, a hang. */
async function messagesFailure(
  res: ServerResponse,
  failure: { kind: string; options: FailureOptions },
): Promise<void> {
  const internal = {
    type: '#internal-error',
    title: 'Internal Error',
    detail: 'An error occurred processing this request',
  };
  if (failure.kind === 'timeout') {
    return hang(res);
  }
  if (failure.kind === 'permanent') {
    return invalidParams(res, ['to', 'Invalid recipient']);
  }
  if (failure.kind !== 'rate_limited') {
    return problem(res, Number(failure.options.code ?? 500), internal);
  }
  const seconds = failure.options.retryAfterSeconds ?? 1;
  const headers = {
    'retry-after': String(seconds),
    'x-ratelimit-limit': '30',
    'x-ratelimit-remaining': '0',
    'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + seconds),
  };
  problem(
    res,
    429,
    { type: '#throttled', title: 'Rate Limit Hit', detail: 'Please wait, then retry your request' },
    headers,
  );
}
