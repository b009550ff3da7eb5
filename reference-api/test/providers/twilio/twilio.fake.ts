// An in-process Twilio Programmable Messaging API (shared/reference/providers.md §1): HTTP Basic auth,
// the Create Message form, Twilio's 201 resource and its `{code, message, more_info, status}` errors.
import { createHmac, randomBytes } from 'node:crypto';
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

/** The account the fake serves. */
export interface TwilioFakeOptions {
  readonly accountSid: string;
  readonly authToken: string;
  /** An API key (SK… SID and secret) accepted as well as the auth token. */
  readonly apiKey?: { readonly sid: string; readonly secret: string };
}

/** A message the fake accepted, with the form it came with. */
export interface TwilioFakeMessage {
  readonly sid: string;
  readonly form: Readonly<Record<string, string>>;
}

/** A status callback as Twilio would post it: where, with which signature, carrying what. */
export interface TwilioStatusCallback {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** The fake Twilio API. */
export interface TwilioFake extends ProviderFake {
  readonly accountSid: string;
  readonly messages: TwilioFakeMessage[];
  /** The status callback Twilio would send for message `sid` (signed with the auth token over its StatusCallback URL). */
  statusCallback(sid: string, status: string, extra?: Record<string, string>): TwilioStatusCallback;
}

const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/;
const E164 = /^\+[1-9]\d{6,14}$/;

/** Twilio's error body. */
export function twilioErrorBody(code: number, message: string, status: number) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

function fail(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, twilioErrorBody(code, message, status), headers);
}

function authorized(
  request: RecordedRequest,
  accountSid: string,
  options: TwilioFakeOptions,
): boolean {
  const match = /^Basic (.+)$/.exec(request.headers.authorization ?? '');
  if (!match?.[1] || accountSid !== options.accountSid) {
    return false;
  }
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const valid = [
    `${options.accountSid}:${options.authToken}`,
    ...(options.apiKey ? [`${options.apiKey.sid}:${options.apiKey.secret}`] : []),
  ];
  return valid.includes(decoded);
}

// Only the texts confirmed from Twilio answers are spelled out; other codes get a neutral text (adapters must not rely on it).
function permanentMessage(code: number, to: string): string {
  if (code === 21211) {
    return `The 'To' number ${to} is not a valid phone number.`;
  }
  if (code === 20003) {
    return 'Authenticate';
  }
  return `Error ${code}`;
}

async function commandedFailure(
  res: ServerResponse,
  kind: FailureKind,
  options: FailureOptions,
  form: Record<string, string>,
): Promise<void> {
  const code = options.code === undefined ? undefined : Number(options.code);
  if (kind === 'timeout') {
    return hang(res);
  }
  if (kind === 'rate_limited') {
    const headers: Record<string, string> =
      options.retryAfterSeconds === undefined
        ? {}
        : { 'retry-after': String(options.retryAfterSeconds) };
    return fail(res, 429, code ?? 20429, 'Too Many Requests', headers);
  }
  if (kind === 'transient') {
    return code === 20503
      ? fail(res, 503, 20503, 'Service unavailable')
      : fail(res, 500, code ?? 20500, 'Internal Server Error');
  }
  const permanent = code ?? 21211;
  return fail(
    res,
    permanent === 20003 ? 401 : 400,
    permanent,
    permanentMessage(permanent, form['To'] ?? ''),
  );
}

// Twilio's checks on create, in the order it reports them.
function validationError(form: Record<string, string>): [number, string] | undefined {
  const to = form['To'];
  if (!to) {
    return [21604, "A 'To' phone number is required."];
  }
  if (!form['From'] && !form['MessagingServiceSid']) {
    return [21603, "A 'From' phone number is required."];
  }
  if (!form['Body'] && !form['ContentSid'] && !form['MediaUrl']) {
    return [21602, 'Message body is required.'];
  }
  if (!E164.test(to.replace(/^whatsapp:/, ''))) {
    return [21211, `The 'To' number ${to} is not a valid phone number.`];
  }
  if ((form['Body'] ?? '').length > 1600) {
    return [21617, 'The concatenated message body exceeds the 1600 character limit.'];
  }
  const validity = form['ValidityPeriod'];
  if (
    validity !== undefined &&
    !(/^\d+$/.test(validity) && Number(validity) >= 1 && Number(validity) <= 36_000)
  ) {
    return [21624, 'Invalid validity period value'];
  }
  return undefined;
}

function rfc2822(date: Date): string {
  return date.toUTCString().replace('GMT', '+0000');
}

function messageResource(accountSid: string, sid: string, form: Record<string, string>) {
  const now = rfc2822(new Date());
  const uri = `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`;
  return {
    account_sid: accountSid,
    api_version: '2010-04-01',
    body: form['Body'] ?? '',
    date_created: now,
    date_sent: null,
    date_updated: now,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: form['From'] ?? null,
    messaging_service_sid: form['MessagingServiceSid'] ?? null,
    num_media: '0',
    num_segments: '1',
    price: null,
    price_unit: null,
    sid,
    status: form['MessagingServiceSid'] ? 'accepted' : 'queued',
    subresource_uris: { media: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}/Media.json` },
    to: form['To'],
    uri,
  };
}

/** Starts a fake Twilio API on loopback (port 0). */
export async function startTwilioFake(options: TwilioFakeOptions): Promise<TwilioFake> {
  const plan = new FailurePlan();
  const messages: TwilioFakeMessage[] = [];
  const server = await startFakeServer(async (request, res) => {
    const path = MESSAGES_PATH.exec(request.url);
    if (request.method !== 'POST' || !path?.[1]) {
      return fail(res, 404, 20404, `The requested resource ${request.url} was not found`);
    }
    if (!authorized(request, decodeURIComponent(path[1]), options)) {
      return fail(res, 401, 20003, 'Authenticate');
    }
    const form = (request.body ?? {}) as Record<string, string>;
    const failure = plan.take();
    if (failure) {
      return commandedFailure(res, failure.kind, failure.options, form);
    }
    const invalid = validationError(form);
    if (invalid) {
      return fail(res, 400, invalid[0], invalid[1]);
    }
    const sid = `SM${randomBytes(16).toString('hex')}`;
    messages.push({ sid, form });
    sendJson(res, 201, messageResource(options.accountSid, sid, form));
  });
  return {
    ...server,
    accountSid: options.accountSid,
    messages,
    failNext: (kind, failureOptions) => plan.add(kind, failureOptions),
    statusCallback(sid, status, extra = {}) {
      const message = messages.find((m) => m.sid === sid);
      const url = message?.form['StatusCallback'];
      if (!message || !url) {
        throw new TypeError(`twilio fake: message ${sid} was not sent with a StatusCallback`);
      }
      const params: Record<string, string> = {
        AccountSid: options.accountSid,
        ApiVersion: '2010-04-01',
        From: message.form['From'] ?? '',
        To: message.form['To'] ?? '',
        MessageSid: sid,
        MessageStatus: status,
        SmsSid: sid,
        SmsStatus: status,
        ...extra,
      };
      return {
        url,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': sign(options.authToken, url, params),
        },
        body: new URLSearchParams(params).toString(),
      };
    },
  };
}

// Written out here rather than imported from the adapter, so the test does not check the code against itself.
function sign(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}
