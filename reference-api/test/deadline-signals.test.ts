import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeadlineSignals } from '../src/delivery/deadline-signals.js';

const timedOut = () => new Error('request timed out');

describe('deadline signals', () => {
  it('gives calls of one provider whose deadlines fall in the same slot the same signal', () => {
    const deadlines = new DeadlineSignals(60_000);
    const first = deadlines.after('twilio', 1000, timedOut);
    assert.equal(deadlines.after('twilio', 1000, timedOut), first);
    assert.notEqual(deadlines.after('vonage', 1000, timedOut), first);
    assert.notEqual(deadlines.after('twilio', 130_000, timedOut), first);
  });

  it('aborts no earlier than the deadline and at most one slot after it, with the given reason', async () => {
    const deadlines = new DeadlineSignals(25);
    const started = performance.now();
    const signal = deadlines.after('twilio', 100, timedOut);
    const keepAlive = setTimeout(() => undefined, 5000); // the slot's own timer does not hold the process
    await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    clearTimeout(keepAlive);
    const waited = performance.now() - started;
    assert.ok(waited >= 99, `aborted after ${waited} ms`);
    assert.equal((signal.reason as Error).message, 'request timed out');
    assert.notEqual(
      deadlines.after('twilio', 100, timedOut),
      signal,
      'a spent slot is not handed out again',
    );
  });

  it('lets many calls listen to one signal without a leak warning', async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const signal = new DeadlineSignals(60_000).after('twilio', 1000, timedOut);
      for (let i = 0; i < 50; i++) {
        signal.addEventListener('abort', () => undefined);
      }
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on a later tick
    } finally {
      process.off('warning', onWarning);
    }
    assert.deepEqual(warnings, []);
  });
});
