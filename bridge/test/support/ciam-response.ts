import assert from 'node:assert/strict';

/** A response as DeviceAuthStack.call returns it. */
export interface CallResult {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** Asserts the CIAM failure shape with this HTTP status, code and (when given) errorCode; returns the body. */
export function assertFailure(
  res: CallResult,
  status: number,
  code: string,
  errorCode?: number,
): Record<string, unknown> {
  assert.equal(
    res.status,
    status,
    `expected ${status} ${code}, got ${res.status} ${JSON.stringify(res.body)}`,
  );
  assert.equal(res.body['status'], 'FAILURE');
  assert.equal(res.body['code'], code, JSON.stringify(res.body));
  if (errorCode !== undefined) {
    assert.equal(res.body['errorCode'], errorCode);
  }
  assert.equal(typeof res.body['message'], 'string');
  assert.equal(res.body['traceId'], res.headers.get('x-request-id'));
  assert.ok(!Number.isNaN(Date.parse(String(res.body['timestamp']))));
  return res.body;
}

/** The fields named in a failure's `details`. */
export function detailFields(body: Record<string, unknown>): string[] {
  return ((body['details'] ?? []) as { field: string }[]).map((d) => d.field).sort();
}
