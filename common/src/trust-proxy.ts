import { isIP } from 'node:net';
import { z } from 'zod';

/** Which proxies' X-Forwarded-* headers Express believes: none (false), a hop count, or addresses. */
export type TrustProxy = false | number | readonly string[];

const NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const SYNTAX =
  'use false, a hop count, or a comma-separated list of loopback, linklocal, uniquelocal, addresses and subnets (10.0.0.0/8)';
const TRUE_REFUSED = `true would trust whatever X-Forwarded-For a client sends; ${SYNTAX}`;

/**
 * `TRUST_PROXY` in Express's trust-proxy syntax, for `app.set('trust proxy', …)`; unset means
 * none. `true` is refused: it would take the client's own first X-Forwarded-For entry as its
 * address, so any caller could pick a fresh per-address budget with every request.
 */
export const trustProxySetting = z
  .string()
  .optional()
  .transform((raw, ctx): TrustProxy => {
    const value = (raw ?? '').trim();
    if (value === '' || value === 'false') {
      return false;
    }
    if (/^\d{1,3}$/.test(value)) {
      return Number(value);
    }
    const entries = value.split(',').map((entry) => entry.trim());
    const problem = value === 'true' ? TRUE_REFUSED : badEntries(entries);
    if (!problem) {
      return entries;
    }
    ctx.addIssue({ code: 'custom', message: problem });
    return z.NEVER;
  });

function badEntries(entries: readonly string[]): string | undefined {
  const bad = entries.filter((entry) => !isProxyEntry(entry));
  if (bad.length === 0) {
    return undefined;
  }
  return `${bad.map((entry) => JSON.stringify(entry)).join(', ')}: not a proxy address; ${SYNTAX}`;
}

/** A name Express knows, an address, or an address with a prefix length (or, for IPv4, a netmask). */
function isProxyEntry(entry: string): boolean {
  if (NAMES.has(entry)) {
    return true;
  }
  const [address = '', range, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) {
    return false;
  }
  if (range === undefined) {
    return true;
  }
  if (/^\d{1,3}$/.test(range)) {
    return Number(range) >= 1 && Number(range) <= (family === 4 ? 32 : 128);
  }
  return family === 4 && isNetmask(range);
}

/** A dotted IPv4 netmask: ones, then zeros (proxy-addr refuses anything else). */
function isNetmask(value: string): boolean {
  if (isIP(value) !== 4) {
    return false;
  }
  const bits = value
    .split('.')
    .map((octet) => Number(octet).toString(2).padStart(8, '0'))
    .join('');
  return /^1+0*$/.test(bits);
}
