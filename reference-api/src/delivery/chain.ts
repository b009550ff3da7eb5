import type { Channel, SmsProvider } from '../providers/sms-provider.js';

/** The providers of a chain that can carry `channel`, in chain order (notifme-sdk's fallback strategy). */
export function chainFor(providers: readonly SmsProvider[], channel: Channel): SmsProvider[] {
  return providers.filter((p) => p.channels.has(channel));
}

/** The position of the next provider to try after `index`, or -1 when the chain is spent. */
export function nextInChain(chainLength: number, index: number): number {
  return index + 1 < chainLength ? index + 1 : -1;
}
