// How SendGrid's answers become our three classes, and what the Mail Send body looks like.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProviderResponse } from '../../../src/providers/provider-http.js';
import {
  classifySendGridFailure,
  sendGridRetryAfterMs,
} from '../../../src/providers/sendgrid/sendgrid.errors.js';
import { sendGridMailBody } from '../../../src/providers/sendgrid/sendgrid.provider.js';
import type { OutboundMessage } from '../../../src/providers/sms-provider.js';

function answer(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): ProviderResponse {
  return {
    status,
    headers: { get: (name: string) => headers[name.toLowerCase()] ?? null },
    body,
    text: JSON.stringify(body),
  };
}

const errorsOf = (message: string, field: string | null = null) => ({
  errors: [{ message, field, help: null }],
});

describe('SendGrid failure classification', () => {
  it('fails 400, 401, 403 and 413 for good, naming the field and keeping the status', () => {
    for (const status of [400, 401, 403, 413]) {
      const error = classifySendGridFailure(answer(status, errorsOf('bad', 'subject')));
      assert.deepEqual([error.kind, error.providerCode], ['permanent', String(status)]);
      assert.match(error.message, /subject: bad/);
    }
  });

  it('retries a 5xx', () => {
    for (const status of [500, 502, 503]) {
      assert.equal(classifySendGridFailure(answer(status, undefined)).kind, 'transient');
    }
  });

  it('pauses after a 429 until X-RateLimit-Reset, or for Retry-After when given', () => {
    const now = 1_700_000_000_000;
    const reset = { 'x-ratelimit-reset': String(now / 1000 + 3) };
    assert.equal(sendGridRetryAfterMs(answer(429, {}, reset).headers, now), 3000);
    const both = { ...reset, 'retry-after': '7' };
    assert.equal(sendGridRetryAfterMs(answer(429, {}, both).headers, now), 7000);
    assert.equal(
      sendGridRetryAfterMs(answer(429, {}).headers, now),
      1000,
      'a second without a hint',
    );
    assert.equal(
      classifySendGridFailure(answer(429, errorsOf('too many requests'), reset)).kind,
      'rate_limited',
    );
  });

  it('never records an address SendGrid echoes back', () => {
    const error = classifySendGridFailure(
      answer(
        400,
        errorsOf(
          'jane@example..com does not contain a valid address.',
          'personalizations.0.to.0.email',
        ),
      ),
    );
    assert.doesNotMatch(error.message, /jane@/);
  });
});

describe('the SendGrid Mail Send body', () => {
  const message: OutboundMessage = {
    messageId: '0b7f3a52-6a4d-4d8f-9a55-3c1e6d1f2a10',
    to: 'jane@example.com',
    text: 'Your code is 123456.',
    code: '123456',
    channel: 'email',
    ttlSeconds: 300,
    locale: undefined,
    clientRef: undefined,
    email: { from: 'no-reply@acme.example', subject: 'Your code' },
  };

  it('names the sender by address alone when the mailbox has no display name, and sends no HTML part it was not given', () => {
    const body = sendGridMailBody(message);
    assert.deepEqual(body.from, { email: 'no-reply@acme.example' });
    assert.deepEqual(body.content, [{ type: 'text/plain', value: 'Your code is 123456.' }]);
  });

  it('carries our message id as a custom argument, which SendGrid copies into every event', () => {
    assert.deepEqual(sendGridMailBody(message).personalizations[0]?.custom_args, {
      messageId: message.messageId,
    });
  });
});
