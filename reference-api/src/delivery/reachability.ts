import type { ProviderId } from '../providers/registry.js';
import type { Route } from './routing.js';
import type { SmsProvider } from '../providers/sms-provider.js';

/** A provider a chain never tries, and the providers before it that take every channel it serves. */
export interface UnreachableProvider {
  readonly id: string;
  readonly takenBy: readonly string[];
}

/**
 * The providers of `chain` that can never be tried for any channel: for each channel they serve,
 * a provider before them always accepts (the outbox). A provider after one that merely can fail
 * (twilio before vonage) is reachable: that is failover.
 */
export function unreachableProviders(chain: readonly SmsProvider[]): UnreachableProvider[] {
  return chain.flatMap((provider, index) => {
    const channels = [...provider.channels];
    const takers = chain
      .slice(0, index)
      .filter((p) => p.alwaysAccepts && channels.some((c) => p.channels.has(c)));
    const taken = channels.every((c) => takers.some((p) => p.channels.has(c)));
    if (channels.length === 0 || !taken) {
      return [];
    }
    return [{ id: provider.id, takenBy: [...new Set(takers.map((p) => p.id))] }];
  });
}

/** One warning line per provider that PROVIDERS or a PROVIDER_ROUTES chain can never reach. */
export function unreachableWarnings(
  config: { readonly providers: readonly ProviderId[]; readonly routes: readonly Route[] },
  providers: readonly SmsProvider[],
): string[] {
  const byId = new Map(providers.map((p) => [p.id, p]));
  const chains = [
    { name: `PROVIDERS=${config.providers.join(',')}`, ids: config.providers },
    ...config.routes.map((r) => ({
      name: `PROVIDER_ROUTES chain ${r.prefix}→${r.chain.join(',')}`,
      ids: r.chain,
    })),
  ];
  return chains.flatMap(({ name, ids }) =>
    unreachableProviders(ids.flatMap((id) => byId.get(id) ?? [])).map(
      ({ id, takenBy }) =>
        `provider ${id} in ${name} can never be reached: ${takenBy.join(', ')} before it ` +
        `${takenBy.length === 1 ? 'takes' : 'take'} every channel it serves`,
    ),
  );
}
