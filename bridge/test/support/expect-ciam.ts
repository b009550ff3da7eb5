import assert from 'node:assert/strict';
import { CiamError, type CiamErrorCode } from '../../src/errors.js';

/** Awaits `promise`, asserts it failed with the CIAM error `code`, and returns the error for further checks. */
export async function expectCiam(
  promise: Promise<unknown>,
  code: CiamErrorCode,
): Promise<CiamError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof CiamError, `expected a CiamError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    return err;
  }
  assert.fail(`expected ${code}, but it succeeded`);
}
