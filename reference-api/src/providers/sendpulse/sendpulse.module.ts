import { defineProvider, type ProviderContext } from '../provider-module.js';
import { sendPulseConfig, type SendPulseSettings } from './sendpulse.config.js';
import { SENDPULSE } from './sendpulse.errors.js';
import {
  createSendPulseProvider,
  SENDPULSE_CHANNELS,
  type SendPulseOptions,
} from './sendpulse.provider.js';
import { sendPulseTokenKey } from './sendpulse.token-cache.js';

/** What the sender needs; a missing credential here is a deployment mistake that config.ts should have caught. */
function sendPulseOptions(context: ProviderContext<SendPulseSettings>): SendPulseOptions {
  const { baseUrl, clientId, clientSecret, sender } = context.settings;
  if (!clientId || !clientSecret || !sender) {
    throw new TypeError(
      'sendpulse needs SENDPULSE_CLIENT_ID, SENDPULSE_CLIENT_SECRET and SENDPULSE_SENDER',
    );
  }
  return {
    baseUrl,
    clientId,
    clientSecret,
    sender,
    redis: context.redis,
    tokenKey: sendPulseTokenKey(context.queuePrefix),
    timeoutMs: context.providerTimeoutMs,
  };
}

/** SendPulse: SMS only, with no delivery callbacks (messages stay `sent`). */
export const sendPulseModule = defineProvider({
  id: SENDPULSE,
  channels: SENDPULSE_CHANNELS,
  config: sendPulseConfig,
  create: (context) => createSendPulseProvider(sendPulseOptions(context)),
});
