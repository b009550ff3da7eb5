import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBody, parseSmsRequest, smsRequestSchema } from '../src/messages/message-input.js';

const outcome = (parse: () => unknown) => {
  try {
    return { ok: parse() };
  } catch (err) {
    return { error: (err as { extra?: unknown }).extra, message: (err as Error).message };
  }
};

describe('POST /api/sms body validation', () => {
  const bodies: unknown[] = [
    {
      mobile: '+5511966191717',
      totp: 'Your SMS code is 123456 and is valid for 5 minutes.',
      used: false,
    },
    { mobile: '+5511966191717', totp: '123456' },
    { mobile: '+5511966191717', totp: 'a\tb\nc\rd', used: true },
    { mobile: '+5511966191717', totp: 'x'.repeat(1600) },
    { mobile: '+5511966191717', totp: 'x'.repeat(1601) },
    { mobile: '+5511966191717', totp: '' },
    { mobile: '+5511966191717', totp: 'a\u0000b' },
    { mobile: '', totp: '123456' },
    { mobile: '+5'.repeat(33), totp: '123456' },
    { mobile: 5511966191717, totp: '123456' },
    { mobile: '+5511966191717', totp: '123456', used: 'no' },
    { mobile: '+5511966191717', totp: '123456', used: null },
    { mobile: '+5511966191717', totp: '123456', extra: 1 },
    { mobile: '+5511966191717', totp: '123456', locale: 'pt-BR', ttlSeconds: 600 },
    JSON.parse('{"mobile":"+5511966191717","totp":"123456","__proto__":{"x":1}}'),
    {},
    [],
    null,
    'text',
    42,
  ];

  it('gives what the schema gives, for every body, whether it takes or refuses it', () => {
    for (const body of bodies) {
      assert.deepEqual(
        outcome(() => parseSmsRequest(body)),
        outcome(() => parseBody(smsRequestSchema, body)),
        JSON.stringify(body),
      );
    }
  });
});
