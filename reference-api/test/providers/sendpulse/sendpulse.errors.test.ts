// How every SendPulse answer is classified: what the worker retries, pauses on, or gives up.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProviderResponse } from '../../../src/providers/provider-http.js';
import { classifySendPulseError } from '../../../src/providers/sendpulse/sendpulse.errors.js';

function answer(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): ProviderResponse {
  return { status, headers: new Headers(headers), body, text: JSON.stringify(body) };
}

const cases: {
  name: string;
  res: ProviderResponse;
  kind: string;
  code?: string;
  retryAfterMs?: number;
}[] = [
  {
    name: 'a 429 with no hint waits about a second',
    res: answer(429, { error_code: 429, message: 'Too many requests' }),
    kind: 'rate_limited',
    code: '429',
    retryAfterMs: 1000,
  },
  {
    name: 'a 429 with Retry-After waits as long as it says',
    res: answer(429, {}, { 'retry-after': '7' }),
    kind: 'rate_limited',
    retryAfterMs: 7000,
  },
  {
    name: 'more than 10 requests a second (2020202020) is a rate limit',
    res: answer(400, { error_code: 2020202020, message: 'Too many requests per second' }),
    kind: 'rate_limited',
    code: '2020202020',
    retryAfterMs: 1000,
  },
  {
    name: 'a 500 is retried',
    res: answer(500, { error_code: 500, message: 'Internal Server Error' }),
    kind: 'transient',
    code: '500',
  },
  { name: 'a 503 without a body is retried', res: answer(503, undefined), kind: 'transient' },
  {
    name: 'wrong client credentials (invalid_client) fail for good',
    res: answer(401, {
      error: 'invalid_client',
      error_description: 'Client authentication failed',
      message: 'Client authentication failed',
    }),
    kind: 'permanent',
    code: 'invalid_client',
  },
  {
    name: 'a 403 (plan or permission) fails for good',
    res: answer(403, { error_code: 403, message: 'Forbidden' }),
    kind: 'permanent',
    code: '403',
  },
  {
    name: 'a 422 (validation) fails for good',
    res: answer(422, { error_code: 422, message: 'Validation error' }),
    kind: 'permanent',
    code: '422',
  },
  {
    name: 'a depleted balance (707) fails for good',
    res: answer(400, { error_code: 707, message: 'Insufficient balance' }),
    kind: 'permanent',
    code: '707',
  },
  {
    name: 'a depleted balance (707) fails for good even on a 200',
    res: answer(200, { result: false, error_code: 707 }),
    kind: 'permanent',
    code: '707',
  },
  {
    name: 'a 400 without a code fails for good',
    res: answer(400, undefined),
    kind: 'permanent',
    code: '400',
  },
];

describe('SendPulse error classification', () => {
  for (const c of cases) {
    it(c.name, () => {
      const err = classifySendPulseError(c.res);
      assert.equal(err.kind, c.kind);
      assert.equal(err.providerId, 'sendpulse');
      if (c.code) {
        assert.equal(err.providerCode, c.code);
      }
      if (c.retryAfterMs !== undefined) {
        assert.equal(err.kind === 'rate_limited' && err.retryAfterMs, c.retryAfterMs);
      }
    });
  }

  it('keeps phone numbers that SendPulse echoes out of the error message', () => {
    const err = classifySendPulseError(
      answer(422, { error_code: 422, message: 'Phone 380931234567 is invalid' }),
    );
    assert.doesNotMatch(err.message, /380931234567/);
  });
});
