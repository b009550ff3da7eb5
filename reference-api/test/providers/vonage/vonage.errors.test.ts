// How every documented Vonage failure is classified (shared/reference/providers.md §2 and §6).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyHttpFailure,
  classifySmsStatus,
  classifyTransportFailure,
  DEFAULT_RETRY_AFTER_MS,
} from '../../../src/providers/vonage/vonage.errors.js';

const SMS_STATUS_TABLE: [status: string, meaning: string, kind: 'transient' | 'permanent'][] = [
  ['1', 'throttled (no retry hint, so backed off like any transient error)', 'transient'],
  ['2', 'missing parameters', 'permanent'],
  ['3', 'invalid parameters', 'permanent'],
  ['4', 'invalid credentials', 'permanent'],
  ['5', 'internal error', 'transient'],
  ['6', 'invalid message', 'permanent'],
  ['7', 'number barred', 'permanent'],
  ['8', 'partner account barred', 'permanent'],
  ['9', 'partner quota violation', 'permanent'],
  ['10', 'too many existing binds', 'transient'],
  ['11', 'account not enabled for HTTP', 'permanent'],
  ['12', 'message too long', 'permanent'],
  ['14', 'invalid signature', 'permanent'],
  ['15', 'invalid sender address', 'permanent'],
  ['22', 'invalid network code', 'permanent'],
  ['23', 'invalid callback URL', 'permanent'],
  ['29', 'non-whitelisted destination', 'permanent'],
  ['32', 'signature and api_secret both sent', 'permanent'],
  ['33', 'number de-activated', 'permanent'],
  ['99', 'an undocumented status (retried rather than lost)', 'transient'],
];

describe('Vonage SMS API status classification', () => {
  for (const [status, meaning, kind] of SMS_STATUS_TABLE) {
    it(`treats status ${status}, ${meaning}, as ${kind}`, () => {
      const error = classifySmsStatus(status, 'some error text');
      assert.equal(error.kind, kind);
      assert.equal(error.providerId, 'vonage');
      assert.equal(error.providerCode, status);
      assert.match(error.message, new RegExp(`status ${status} \\(some error text\\)`));
    });
  }
});

describe('Vonage HTTP failure classification', () => {
  it('waits for the Retry-After seconds of a 429 without spending an attempt', () => {
    const error = classifyHttpFailure(429, '7');
    assert.equal(error.kind, 'rate_limited');
    assert.equal(error.kind === 'rate_limited' && error.retryAfterMs, 7000);
  });

  it('waits a default second after a 429 that gives no Retry-After', () => {
    const error = classifyHttpFailure(429, null);
    assert.equal(error.kind === 'rate_limited' && error.retryAfterMs, DEFAULT_RETRY_AFTER_MS);
  });

  for (const status of [500, 502, 503, 504, 408]) {
    it(`retries HTTP ${status} as transient`, () => {
      assert.equal(classifyHttpFailure(status, null).kind, 'transient');
    });
  }

  for (const status of [401, 402, 404, 422]) {
    it(`fails HTTP ${status} at once as permanent`, () => {
      assert.equal(classifyHttpFailure(status, null).kind, 'permanent');
    });
  }

  it('keeps the Messages API error code from the problem type and its title', () => {
    const error = classifyHttpFailure(422, null, { title: 'Invalid params', code: '1150' });
    assert.equal(error.providerCode, '1150');
    assert.equal(error.message, 'HTTP 422 (Invalid params)');
  });

  it('counts a timeout and a refused connection as transient', () => {
    const abort = Object.assign(new Error('The operation was aborted.'), { name: 'AbortError' });
    assert.equal(classifyTransportFailure(abort).message, 'request timed out');
    assert.equal(
      classifyTransportFailure(new Error('connect ECONNREFUSED 127.0.0.1:1')).kind,
      'transient',
    );
  });
});
