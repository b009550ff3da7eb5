import type { Request } from 'express';
import type { Application } from '../apps/application.js';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The origin the user reached this bridge at: the request's own when both it and the public URL
 * are on a loopback name (the demo works at whichever one it is opened), the public URL's
 * otherwise. A Host header decides nothing beyond loopback: it could send users elsewhere, and
 * behind a reverse proxy it often names the upstream, not the site the user is on.
 */
export function userOrigin(req: Pick<Request, 'protocol' | 'host'>, publicUrl: string): string {
  const pub = new URL(publicUrl);
  const here = parse(`${req.protocol}://${req.host}`);
  return here && LOOPBACK.has(here.hostname) && LOOPBACK.has(pub.hostname)
    ? here.origin
    : pub.origin;
}

/**
 * `candidate` (absolute, or a path on this bridge) resolved to a URL if the application's
 * allow-list admits it: an entry that is an origin admits any URL on it; an entry with a path
 * admits that path and what lies under it; an entry with a query admits only itself. A path
 * resolves against `here` (the user's origin, see userOrigin), so the user stays where their
 * cookies are; on that origin the allow-list is read as naming it by the public URL.
 */
export function allowedReturnUrl(
  app: Application,
  candidate: unknown,
  publicUrl: string,
  here: string = publicUrl,
): URL | undefined {
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > 2048) {
    return undefined;
  }
  const url = parse(candidate, here);
  if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password) {
    return undefined;
  }
  const onHere = url.origin === new URL(here).origin;
  const asPublic = onHere ? new URL(`${url.pathname}${url.search}${url.hash}`, publicUrl) : url;
  const listed = (u: URL) => app.returnUrls.some((entry) => admits(entry, u));
  return listed(url) || listed(asPublic) ? url : undefined;
}

/** The return URL with the outcome appended: `?authId=...&status=approved`. */
export function returnWith(url: URL, authId: string, status: string): string {
  const out = new URL(url);
  out.searchParams.set('authId', authId);
  out.searchParams.set('status', status);
  return out.href;
}

function admits(entry: string, url: URL): boolean {
  const allowed = parse(entry);
  if (!allowed || allowed.origin !== url.origin) {
    return false;
  }
  if (allowed.search) {
    return allowed.href === url.href;
  }
  if (allowed.pathname === '/') {
    return true;
  }
  const path = allowed.pathname.endsWith('/') ? allowed.pathname : `${allowed.pathname}/`;
  return url.pathname === allowed.pathname || url.pathname.startsWith(path);
}

function parse(value: string, base?: string): URL | undefined {
  // Only absolute URLs or paths starting with one "/" ("//evil.example" is another host).
  if (base && !/^https?:\/\//i.test(value) && !/^\/(?![/\\])/.test(value)) {
    return undefined;
  }
  try {
    return new URL(value, base);
  } catch {
    return undefined;
  }
}
