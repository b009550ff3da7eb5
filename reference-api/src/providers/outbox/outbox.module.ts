import { defineProvider } from '../provider-module.js';
import { outboxConfig } from './outbox.config.js';
import { createOutboxProvider, OUTBOX_CHANNELS } from './outbox.provider.js';

/** The dev outbox: takes every message into a Redis list that GET /dev/outbox shows. */
export const outboxModule = defineProvider({
  id: 'outbox',
  channels: OUTBOX_CHANNELS,
  config: outboxConfig,
  create: (context) =>
    createOutboxProvider(context.redis, context.queuePrefix, context.settings.delayMs),
});
