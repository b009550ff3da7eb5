// An in-process Twilio SendGrid v3 API, as its documentation describes it: `POST /v3/mail/send`
// with `Authorization: Bearer <API key>`, 202 Accepted with an empty body and the request's id in
// X-Message-Id; errors as `{"errors": [{"message", "field", "help"}]}` (400 bad request, 401 bad
// key, 413 too large, 429 with X-RateLimit-Limit / -Remaining / -Reset, 5xx); and the Signed Event
// Webhook: batches of events signed with ECDSA P-256 over `timestamp + body`.
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
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

/** A mail the fake accepted: the X-Message-Id it answered with and the body it was sent. */
export interface SendGridFakeMail {
  readonly xMessageId: string;
  readonly body: MailSendBody;
}

/** The parts of a Mail Send body the fake checks. */
export interface MailSendBody {
  readonly personalizations?: {
    readonly to?: { readonly email?: string }[];
    readonly custom_args?: Record<string, string>;
  }[];
  readonly from?: { readonly email?: string; readonly name?: string };
  readonly subject?: string;
  readonly content?: { readonly type?: string; readonly value?: string }[];
}

/** An Event Webhook request as SendGrid would post it. */
export interface SendGridEventBatch {
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The fake SendGrid API. */
export interface SendGridFake extends ProviderFake {
  readonly mails: SendGridFakeMail[];
  /** The Event Webhook verification key, base64 DER, as the SendGrid console shows it. */
  readonly webhookPublicKey: string;
  /** The `event` events SendGrid would report for an accepted mail (`extra` merged into each). */
  events(mail: SendGridFakeMail, kinds: string[], extra?: Record<string, unknown>): object[];
  /** A signed batch of `events`. */
  batch(events: object[]): SendGridEventBatch;
}

function errors(message: string, field: string | null = null) {
  return { errors: [{ message, field, help: null }] };
}

function fail(
  res: ServerResponse,
  kind: FailureKind,
  options: FailureOptions,
): Promise<void> | void {
  if (kind === 'timeout') {
    return hang(res);
  }
  if (kind === 'rate_limited') {
    const reset = Math.ceil(Date.now() / 1000 + (options.retryAfterSeconds ?? 1));
    const headers = {
      'x-ratelimit-limit': '600',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset': String(reset),
    };
    return sendJson(res, 429, errors('too many requests'), headers);
  }
  const status = Number(options.code ?? (kind === 'permanent' ? 400 : 503));
  const message =
    status === 401
      ? 'The provided authorization grant is invalid, expired, or revoked'
      : status === 400
        ? 'Does not contain a valid address.'
        : 'Service unavailable';
  sendJson(res, status, errors(message, status === 400 ? 'personalizations.0.to.0.email' : null));
}

/** The first problem with a Mail Send body, as SendGrid's 400 names it; undefined when it is sound. */
function invalidField(body: MailSendBody | undefined): [string, string] | undefined {
  const first = body?.personalizations?.[0];
  if (!first?.to?.[0]?.email) {
    return ['personalizations.0.to', 'The to array is required for all personalization objects.'];
  }
  if (!body?.from?.email) {
    return ['from.email', 'The from email is required.'];
  }
  if (!body.subject) {
    return ['subject', 'The subject is required.'];
  }
  const content = body.content ?? [];
  if (content.length === 0 || content.some((c) => !c.type || !c.value)) {
    return [
      'content',
      'Unless a valid template_id is provided, the content parameter is required.',
    ];
  }
  if (content.length > 1 && content[0]?.type !== 'text/plain') {
    return ['content', 'If present, text/plain content must be first, followed by text/html.'];
  }
  return undefined;
}

/** Starts the fake; `apiKey` is the only key it accepts. */
export async function startSendGridFake(options: { apiKey: string }): Promise<SendGridFake> {
  const plan = new FailurePlan();
  const mails: SendGridFakeMail[] = [];
  const signer = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const handle = (request: RecordedRequest, res: ServerResponse) => {
    if (request.method !== 'POST' || request.url !== '/v3/mail/send') {
      return sendJson(res, 404, errors('not found'));
    }
    if (request.headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendJson(
        res,
        401,
        errors('The provided authorization grant is invalid, expired, or revoked'),
      );
    }
    const failure = plan.take();
    if (failure) {
      return fail(res, failure.kind, failure.options);
    }
    const body = request.body as MailSendBody | undefined;
    const invalid = invalidField(body);
    if (invalid) {
      return sendJson(res, 400, errors(invalid[1], invalid[0]));
    }
    const xMessageId = randomBytes(16).toString('base64url');
    mails.push({ xMessageId, body: body! });
    res.writeHead(202, { 'x-message-id': xMessageId });
    res.end();
  };
  const server = await startFakeServer(handle);
  return {
    ...server,
    mails,
    webhookPublicKey: signer.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    failNext: (kind, failure) => plan.add(kind, failure),
    events: (mail, kinds, extra = {}) => kinds.map((kind) => eventOf(mail, kind, extra)),
    batch: (events) => signedBatch(signer.privateKey, events),
  };
}

// Custom arguments land at the top level of each event, beside SendGrid's own fields.
function eventOf(mail: SendGridFakeMail, kind: string, extra: Record<string, unknown>): object {
  const personalization = mail.body.personalizations?.[0];
  return {
    email: personalization?.to?.[0]?.email,
    timestamp: Math.floor(Date.now() / 1000),
    'smtp-id': `<${mail.xMessageId}@geopod-ismtpd-1>`,
    event: kind,
    sg_event_id: randomBytes(16).toString('base64url'),
    sg_message_id: `${mail.xMessageId}.recvd-5f9c7d9b8-abcde-1-65A1B2C3-4.0`,
    ...personalization?.custom_args,
    ...extra,
  };
}

function signedBatch(privateKey: KeyObject, events: object[]): SendGridEventBatch {
  const body = JSON.stringify(events);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = sign('sha256', Buffer.from(timestamp + body), privateKey).toString('base64');
  return {
    headers: {
      'content-type': 'application/json',
      'x-twilio-email-event-webhook-signature': signature,
      'x-twilio-email-event-webhook-timestamp': timestamp,
    },
    body,
  };
}
