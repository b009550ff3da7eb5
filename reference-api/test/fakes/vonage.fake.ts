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
} from './fake-server.js';

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
    if (request.method === 'POST' && path === '/sms/json')
      return smsApi(request, res, account, plan, accepted);
    if (request.method === 'POST' && path === '/v1/messages')
      return messagesApi(request, res, account, plan, accepted);
    problem(res, 404, '#not-found', 'Not Found', `${request.method} ${path} does not exist`);
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
  for (const [key, value] of Object.entries(body))
    if (value !== undefined && value !== null) params[key] = String(value);
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
  if (!match) return {};
  const [key, ...secret] = Buffer.from(match[1]!, 'base64').toString('utf8').split(':');
  return { key, secret: secret.join(':') };
}

/** Credentials, then fields, in the order the real API reports them; returns true when it answered. */
function smsRejects(
  request: RecordedRequest,
  params: Params,
  res: ServerResponse,
  account: VonageAccount,
): boolean {
  const basic = basicCredentials(request.headers.authorization);
  const key = params['api_key'] ?? basic.key;
  const secret = params['api_secret'] ?? basic.secret;
  const fail = (status: string, text: string) => (smsError(res, status, text, params['to']), true);
  if (!key) return fail('2', 'Missing api_key');
  if (!secret) return fail('2', 'Missing api_secret');
  if (key !== account.apiKey || secret !== account.apiSecret) return fail('4', 'Bad Credentials');
  if (!params['from']) return fail('2', 'Missing from param');
  if (!params['to']) return fail('2', 'Missing to param');
  if (!/^\d{7,15}$/.test(params['to'])) return fail('3', 'Invalid to param');
  if (!params['text']) return fail('2', 'Missing text param');
  if (
    params['type'] &&
    !['text', 'unicode', 'binary', 'wappush', 'vcal', 'vcard'].includes(params['type'])
  )
    return fail('3', 'Invalid type param');
  const ttl = params['ttl'] === undefined ? undefined : Number(params['ttl']);
  if (ttl !== undefined && !(Number.isInteger(ttl) && ttl >= 20_000 && ttl <= 604_800_000))
    return fail('3', 'Invalid ttl param');
  if ((params['client-ref'] ?? '').length > 40) return fail('3', 'Invalid client-ref param');
  if (params['callback'] && !URL.canParse(params['callback']))
    return fail('23', 'Invalid Callback Url');
  return false;
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
  if (smsRejects(request, params, res, account)) return;
  const failure = plan.take();
  if (failure) return smsFailure(res, failure, params['to']);
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
  if (failure.kind === 'timeout') return hang(res);
  if (code && /^\d{3}$/.test(code))
    return sendJson(res, Number(code), { error: 'Internal Server Error' });
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

function problem(
  res: ServerResponse,
  status: number,
  type: string,
  title: string,
  detail: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): void {
  const requestId = randomUUID();
  res.writeHead(status, {
    'content-type': 'application/problem+json',
    'x-request-id': requestId,
    ...headers,
  });
  res.end(
    JSON.stringify({
      type: `https://developer.nexmo.com/api-errors${type}`,
      title,
      detail,
      instance: requestId,
      ...extra,
    }),
  );
}

function invalidParams(res: ServerResponse, name: string, reason: string): void {
  problem(
    res,
    422,
    '/messages#1150',
    'Invalid params',
    'The value of one or more parameters is invalid.',
    { invalid_parameters: [{ name, reason }] },
  );
}

/** Checks a WhatsApp custom or text send the way the Messages API does; returns true when it answered. */
function messagesRejects(body: Record<string, unknown>, res: ServerResponse): boolean {
  const fail = (name: string, reason: string) => (invalidParams(res, name, reason), true);
  if (
    !['sms', 'whatsapp', 'mms', 'rcs', 'viber_service', 'messenger'].includes(
      String(body['channel']),
    )
  )
    return fail('channel', 'Unsupported channel');
  if (typeof body['to'] !== 'string' || !/^\d{7,15}$/.test(body['to']))
    return fail('to', 'Invalid recipient');
  if (typeof body['from'] !== 'string' || !body['from']) return fail('from', 'Invalid sender');
  if (typeof body['client_ref'] === 'string' && body['client_ref'].length > 100)
    return fail('client_ref', 'Invalid client reference');
  if (body['message_type'] === 'text')
    return typeof body['text'] === 'string' && body['text'] ? false : fail('text', 'Is required');
  if (body['message_type'] === 'custom')
    return body['custom'] && typeof body['custom'] === 'object'
      ? false
      : fail('custom', 'Is required');
  return fail('message_type', 'Invalid message type');
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
    return problem(
      res,
      401,
      '#unathorized',
      'You did not provide correct credentials.',
      'Check that you are using the correct credentials, and that your account has this feature enabled',
    );
  }
  const body = request.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return problem(
      res,
      422,
      '#invalid-json',
      'The request body did not contain valid JSON',
      'Unexpected character',
    );
  }
  if (messagesRejects(body as Record<string, unknown>, res)) return;
  const failure = plan.take();
  if (failure) return messagesFailure(res, failure);
  const uuid = randomUUID();
  accepted.push([uuid]);
  sendJson(res, 202, { message_uuid: uuid }, { 'x-request-id': randomUUID() });
}

/** Scheduled failures as the Messages API shows them: 422, 500, 429 with Retry-After, or a hang. */
async function messagesFailure(
  res: ServerResponse,
  failure: { kind: string; options: FailureOptions },
): Promise<void> {
  switch (failure.kind) {
    case 'timeout':
      return hang(res);
    case 'permanent':
      return invalidParams(res, 'to', 'Invalid recipient');
    case 'rate_limited': {
      const seconds = failure.options.retryAfterSeconds ?? 1;
      const reset = String(Math.ceil(Date.now() / 1000) + seconds);
      const headers = {
        'retry-after': String(seconds),
        'x-ratelimit-limit': '30',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': reset,
      };
      return problem(
        res,
        429,
        '#throttled',
        'Rate Limit Hit',
        'Please wait, then retry your request',
        {},
        headers,
      );
    }
    default:
      return problem(
        res,
        Number(failure.options.code ?? 500),
        '#internal-error',
        'Internal Error',
        'An error occurred processing this request',
      );
  }
}
