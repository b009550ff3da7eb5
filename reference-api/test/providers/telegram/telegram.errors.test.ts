// How every Telegram answer is classified: what the worker retries, pauses on, or gives up.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ProviderResponse } from '../../../src/providers/provider-http.js';
import {
  classifyBotAnswer,
  classifyGatewayAnswer,
} from '../../../src/providers/telegram/telegram.errors.js';

function answer(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): ProviderResponse {
  return {
    status,
    headers: new Headers(headers),
    body,
    text: body === undefined ? '' : JSON.stringify(body),
  };
}

type Case = {
  name: string;
  res: ProviderResponse;
  kind: string | undefined;
  code?: string;
  retryAfterMs?: number;
};

function table(
  classify: (
    res: ProviderResponse,
  ) => { kind: string; providerCode?: string; retryAfterMs?: number } | undefined,
  cases: Case[],
): void {
  for (const c of cases) {
    it(c.name, () => {
      const err = classify(c.res);
      assert.equal(err?.kind, c.kind);
      if (c.code) {
        assert.equal(err?.providerCode, c.code);
      }
      if (c.retryAfterMs !== undefined) {
        assert.equal(err?.retryAfterMs, c.retryAfterMs);
      }
    });
  }
}

describe('Telegram Gateway answer classification', () => {
  table(classifyGatewayAnswer, [
    {
      name: 'ok:true is a success',
      res: answer(200, { ok: true, result: { request_id: 'r1' } }),
      kind: undefined,
    },
    {
      name: 'ACCESS_TOKEN_INVALID fails for good',
      res: answer(400, { ok: false, error: 'ACCESS_TOKEN_INVALID' }),
      kind: 'permanent',
      code: 'ACCESS_TOKEN_INVALID',
    },
    {
      name: 'any ok:false error string fails for good, whatever the status',
      res: answer(200, { ok: false, error: 'PHONE_NUMBER_INVALID' }),
      kind: 'permanent',
      code: 'PHONE_NUMBER_INVALID',
    },
    {
      name: 'a 401 without a body fails for good',
      res: answer(401, undefined),
      kind: 'permanent',
      code: '401',
    },
    {
      name: 'a 500 is retried',
      res: answer(500, { ok: false, error: 'INTERNAL' }),
      kind: 'transient',
    },
    {
      name: 'a 502 HTML page from the edge is retried',
      res: answer(502, undefined),
      kind: 'transient',
    },
    {
      name: 'a 429 pauses for Retry-After when given',
      res: answer(429, { ok: false, error: 'TOO_MANY_REQUESTS' }, { 'retry-after': '3' }),
      kind: 'rate_limited',
      retryAfterMs: 3000,
    },
    {
      name: 'a 429 without a hint pauses about a second',
      res: answer(429, undefined),
      kind: 'rate_limited',
      retryAfterMs: 1000,
    },
  ]);
});

describe('Telegram Bot API answer classification', () => {
  table(classifyBotAnswer, [
    {
      name: 'ok:true is a success',
      res: answer(200, { ok: true, result: { message_id: 1 } }),
      kind: undefined,
    },
    {
      name: 'flood control pauses for parameters.retry_after',
      res: answer(429, {
        ok: false,
        error_code: 429,
        description: 'Too Many Requests: retry after 5',
        parameters: { retry_after: 5 },
      }),
      kind: 'rate_limited',
      code: '429',
      retryAfterMs: 5000,
    },
    {
      name: 'a 429 without retry_after pauses about a second',
      res: answer(429, { ok: false, error_code: 429, description: 'Too Many Requests' }),
      kind: 'rate_limited',
      retryAfterMs: 1000,
    },
    {
      name: 'chat not found (400) fails for good',
      res: answer(400, { ok: false, error_code: 400, description: 'Bad Request: chat not found' }),
      kind: 'permanent',
      code: '400',
    },
    {
      name: 'a blocked bot (403) fails for good',
      res: answer(403, {
        ok: false,
        error_code: 403,
        description: 'Forbidden: bot was blocked by the user',
      }),
      kind: 'permanent',
      code: '403',
    },
    {
      name: 'a wrong bot token (401) fails for good',
      res: answer(401, { ok: false, error_code: 401, description: 'Unauthorized' }),
      kind: 'permanent',
      code: '401',
    },
    {
      name: 'a 500 is retried',
      res: answer(500, { ok: false, error_code: 500, description: 'Internal Server Error' }),
      kind: 'transient',
    },
    { name: 'a 502 without a body is retried', res: answer(502, undefined), kind: 'transient' },
  ]);
});
