import { z } from 'zod';
import { int } from '../../config-fields.js';
import { defineProviderConfig } from '../provider-module.js';

/** The dev outbox's settings. */
export interface OutboxSettings {
  /** Simulated provider latency (OUTBOX_DELAY_MS), for demos, shutdown tests and benchmarks. */
  readonly delayMs: number;
}

/** OUTBOX_DELAY_MS; the outbox needs nothing else. */
export const outboxConfig = defineProviderConfig({
  env: z.object({ OUTBOX_DELAY_MS: int(0, 60_000, 0) }),
  secrets: [],
  required: [],
  settings: (e): OutboxSettings => ({ delayMs: e.OUTBOX_DELAY_MS }),
});
