import { PROVIDER_IDS, type ProviderId } from '../providers/registry.js';
import type { Channel } from '../providers/sms-provider.js';

/** One rule of PROVIDER_ROUTES: numbers starting with `prefix` go through `chain`. */
export interface Route {
  /** "+55", "+1415", "*" for every other number, or "email" for email addresses (which have no country). */
  readonly prefix: string;
  readonly chain: readonly ProviderId[];
}

/** The rule key of email addresses. */
export const EMAIL_ROUTE = 'email';

const RULE = /^\s*(\*|\+\d{1,6}|email)\s*(?:→|->|=)\s*([a-z,\s]+)\s*$/;

/**
 * Parses `+55→sendpulse,twilio; +7→vonage; *→twilio,vonage; email→smtp,sendgrid` (`->` or `=` work too).
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
      problems.push(`"${rule.trim()}" is not "<+prefix, * or email>→<provider>[,<provider>...]"`);
    } else if (unknown.length) {
      problems.push(`"${rule.trim()}" names unknown provider(s) ${unknown.join(', ')}`);
    } else {
      routes.push({ prefix: match[1]!, chain: chain as ProviderId[] });
    }
  }
  return { routes, problems };
}

/**
 * The chain for `to` on `channel`: an email address takes the "email" rule, else `fallback`
 * (PROVIDERS); a number the longest matching prefix, then "*", then `fallback`.
 */
export function routeFor(
  routes: readonly Route[],
  to: string,
  fallback: readonly ProviderId[],
  channel: Channel = 'sms',
): readonly ProviderId[] {
  if (channel === 'email') {
    return routes.find((r) => r.prefix === EMAIL_ROUTE)?.chain ?? fallback;
  }
  let best: Route | undefined;
  for (const route of routes) {
    if (route.prefix === '*') {
      best ??= route;
    } else if (
      to.startsWith(route.prefix) &&
      (!best || best.prefix === '*' || route.prefix.length > best.prefix.length)
    ) {
      best = route;
    }
  }
  return best?.chain ?? fallback;
}
