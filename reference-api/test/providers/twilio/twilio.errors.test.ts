// How every Twilio failure is classified, from Twilio's own codes (shared/reference/providers.md §1, §6).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyTwilioFailure,
  TWILIO_ERRORS,
  TWILIO_RATE_LIMIT_FALLBACK_MS,
} from '../../../src/providers/twilio/twilio.errors.js';
import { twilioErrorBody } from './twilio.fake.js';

type Row = readonly [
  what: string,
  status: number,
  body: unknown,
  kind: 'permanent' | 'transient' | 'rate_limited',
];

const ROWS: readonly Row[] = [
  ['20003 wrong credentials', 401, twilioErrorBody(20003, 'Authenticate', 401), 'permanent'],
  [
    '20404 unknown account',
    404,
    twilioErrorBody(20404, 'The requested resource was not found', 404),
    'permanent',
  ],
  [
    '20429 too many requests',
    429,
    twilioErrorBody(20429, 'Too Many Requests', 429),
    'rate_limited',
  ],
  ['20500 internal error', 500, twilioErrorBody(20500, 'Internal Server Error', 500), 'transient'],
  [
    '20503 service unavailable',
    503,
    twilioErrorBody(20503, 'Service unavailable', 503),
    'transient',
  ],
  [
    '21211 invalid To',
    400,
    twilioErrorBody(21211, "The 'To' number +15551234567 is not a valid phone number.", 400),
    'permanent',
  ],
  [
    '21408 region not enabled',
    400,
    twilioErrorBody(21408, 'Permission to send an SMS has not been enabled', 400),
    'permanent',
  ],
  [
    '21602 body missing',
    400,
    twilioErrorBody(21602, 'Message body is required.', 400),
    'permanent',
  ],
  [
    '21603 sender missing',
    400,
    twilioErrorBody(21603, "A 'From' phone number is required.", 400),
    'permanent',
  ],
  [
    '21604 To missing',
    400,
    twilioErrorBody(21604, "A 'To' phone number is required.", 400),
    'permanent',
  ],
  ['21606 bad From', 400, twilioErrorBody(21606, 'From is not valid', 400), 'permanent'],
  ['21608 unverified trial number', 400, twilioErrorBody(21608, 'unverified', 400), 'permanent'],
  ['21610 unsubscribed', 400, twilioErrorBody(21610, 'unsubscribed', 400), 'permanent'],
  ['21611 sender queue full', 400, twilioErrorBody(21611, 'queue full', 400), 'permanent'],
  ['21612 unroutable pair', 400, twilioErrorBody(21612, 'cannot route', 400), 'permanent'],
  ['21614 not a mobile', 400, twilioErrorBody(21614, 'not a mobile', 400), 'permanent'],
  ['21617 body too long', 400, twilioErrorBody(21617, 'too long', 400), 'permanent'],
  [
    '21624 bad validity period',
    400,
    twilioErrorBody(21624, 'Invalid validity period value', 400),
    'permanent',
  ],
  ['21635 landline', 400, twilioErrorBody(21635, 'landline', 400), 'permanent'],
  ['21659 country mismatch', 400, twilioErrorBody(21659, 'mismatch', 400), 'permanent'],
  [
    '63016 outside the WhatsApp window',
    400,
    twilioErrorBody(63016, 'outside window', 400),
    'permanent',
  ],
  ['an unknown 4xx code', 400, twilioErrorBody(21999, 'something new', 400), 'permanent'],
  ['an unknown 5xx code', 502, twilioErrorBody(20999, 'bad gateway', 502), 'transient'],
  [
    'a 20429 code even when the HTTP status says otherwise',
    400,
    twilioErrorBody(20429, 'Too Many Requests', 429),
    'rate_limited',
  ],
  ['a 502 HTML page from a proxy', 502, undefined, 'transient'],
  ['a 429 without a body', 429, undefined, 'rate_limited'],
  ['a 408 request timeout', 408, undefined, 'transient'],
  ['a 403 without a Twilio code', 403, { error: 'forbidden' }, 'permanent'],
];

const VERB = {
  permanent: 'gives up at once on',
  transient: 'retries after',
  rate_limited: 'pauses, then retries, after',
} as const;

const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => ({
  status,
  body,
  headers: new Headers(headers),
});

describe('Twilio failure classification', () => {
  for (const [what, status, body, kind] of ROWS) {
    it(`${VERB[kind]} ${what} (HTTP ${status})`, () => {
      const error = classifyTwilioFailure(answer(status, body));
      assert.equal(error.kind, kind);
      assert.equal(error.providerId, 'twilio');
    });
  }

  it("keeps Twilio's code on the error so the message record shows it", () => {
    assert.equal(
      classifyTwilioFailure(answer(400, twilioErrorBody(21610, 'unsubscribed', 400))).providerCode,
      '21610',
    );
    assert.equal(classifyTwilioFailure(answer(502, undefined)).providerCode, undefined);
  });

  it('never puts the phone number Twilio echoes into the error message', () => {
    const error = classifyTwilioFailure(
      answer(
        400,
        twilioErrorBody(21211, "The 'To' number +15551234567 is not a valid phone number.", 400),
      ),
    );
    assert.doesNotMatch(error.message, /\d{6,}/);
    assert.match(error.message, /21211/);
  });

  it('honours a Retry-After header on a 429', () => {
    const error = classifyTwilioFailure(
      answer(429, twilioErrorBody(20429, 'Too Many Requests', 429), { 'retry-after': '7' }),
    );
    assert.ok(error.kind === 'rate_limited');
    assert.equal(error.retryAfterMs, 7000);
  });

  it('pauses a sane default when a 429 gives no Retry-After, as Twilio documents none', () => {
    const error = classifyTwilioFailure(
      answer(429, twilioErrorBody(20429, 'Too Many Requests', 429)),
    );
    assert.ok(error.kind === 'rate_limited');
    assert.equal(error.retryAfterMs, TWILIO_RATE_LIMIT_FALLBACK_MS);
  });

  it("has a row here for every code in the adapter's table", () => {
    const tested = new Set(ROWS.map(([, , body]) => (body as { code?: number } | undefined)?.code));
    const missing = [...TWILIO_ERRORS.keys()].filter((code) => !tested.has(code));
    assert.deepEqual(missing, []);
  });
});
