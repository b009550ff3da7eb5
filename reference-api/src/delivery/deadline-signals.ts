import { setMaxListeners } from 'node:events';

/**
 * Abort signals that fire at a deadline, one per provider and `slotMs` slot of deadlines: the calls
 * whose deadlines fall in the same slot share one AbortController and one timer, rather than each
 * call making its own (they were a good part of a send's CPU). A call is aborted no earlier than its
 * deadline and at most `slotMs` after it.
 */
export class DeadlineSignals {
  private readonly slots = new Map<string, AbortSignal>();

  constructor(private readonly slotMs = 25) {}

  /** A signal for `providerId` that aborts with `reason()` once `ms` have passed (up to the slot's end). */
  after(providerId: string, ms: number, reason: () => Error): AbortSignal {
    const now = Date.now();
    const slot = Math.ceil((now + ms) / this.slotMs);
    const key = `${providerId}:${slot}`;
    const shared = this.slots.get(key);
    if (shared) {
      return shared;
    }
    const controller = new AbortController();
    // Every call of the slot may listen: that many listeners is no leak, so no warning.
    setMaxListeners(0, controller.signal);
    this.slots.set(key, controller.signal);
    setTimeout(
      () => {
        this.slots.delete(key);
        controller.abort(reason());
      },
      slot * this.slotMs - now,
    ).unref();
    return controller.signal;
  }
}
