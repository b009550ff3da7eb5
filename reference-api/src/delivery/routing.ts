import { PROVIDER_IDS, type ProviderId } from '../providers/registry.js';

/** One rule of PROVIDER_ROUTES: numbers starting with `prefix` go through `chain`. */
export interface Route {
  /** "+55", "+1415", or "*" for every number. */
  readonly prefix: string;
  readonly chain: readonly ProviderId[];
}

const RULE = /^\s*(\*|\+\d{1,6})\s*(?:→|->|=)\s*([a-z,\s]+)\s*$/;

/**
 * Parses `+55→sendpulse,twilio; +7→vonage; *→twilio,vonage` (`->` or `=` work too).
 * Returns the routes or the problems, for config to report with the others.
 */
export function parseRoutes(text: string): { routes: Route[]; problems: string[] } {
  const routes: Route[] = [];
  const problems: string[] = [];
  for (const rule of text.split(';').filter((r) => r.trim())) {
    const match = RULE.exec(rule);
    const chain =
      match?.[2]
        ?.split(',')
        .map((p) => p.trim())
        .filter(Boolean) ?? [];
    const unknown = chain.filter((p) => !(PROVIDER_IDS as readonly string[]).includes(p));
    if (!match || chain.length === 0) {
      problems.push(`"${rule.trim()}" is not "<+prefix or *>→<provider>[,<provider>...]"`);
    } else if (unknown.length) {
      problems.push(`"${rule.trim()}" names unknown provider(s) ${unknown.join(', ')}`);
    } else {
      routes.push({ prefix: match[1]!, chain: chain as ProviderId[] });
    }
  }
  return { routes, problems };
}

/** The chain for `e164`: the longest matching prefix, then "*", then `fallback` (PROVIDERS). */
export function routeFor(
  routes: readonly Route[],
  e164: string,
  fallback: readonly ProviderId[],
): readonly ProviderId[] {
  let best: Route | undefined;
  for (const route of routes) {
    if (route.prefix === '*') {
      best ??= route;
    } else if (
      e164.startsWith(route.prefix) &&
      (!best || best.prefix === '*' || route.prefix.length > best.prefix.length)
    ) {
      best = route;
    }
  }
  return best?.chain ?? fallback;
}
