import type { Application } from '../apps/application.js';

/**
 * `candidate` (absolute, or a path on this bridge) resolved to a URL if the application's
 * allow-list admits it: an entry that is an origin admits any URL on it; an entry with a path
 * admits that path and what lies under it; an entry with a query admits only itself.
 */
export function allowedReturnUrl(
  app: Application,
  candidate: unknown,
  publicUrl: string,
): URL | undefined {
  if (typeof candidate !== 'string' || candidate.length === 0 || candidate.length > 2048)
    return undefined;
  const url = parse(candidate, publicUrl);
  if (!url || !/^https?:$/.test(url.protocol) || url.username || url.password) return undefined;
  return app.returnUrls.some((entry) => admits(entry, url)) ? url : undefined;
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
  if (!allowed || allowed.origin !== url.origin) return false;
  if (allowed.search) return allowed.href === url.href;
  if (allowed.pathname === '/') return true;
  const path = allowed.pathname.endsWith('/') ? allowed.pathname : `${allowed.pathname}/`;
  return url.pathname === allowed.pathname || url.pathname.startsWith(path);
}

function parse(value: string, base?: string): URL | undefined {
  // Only absolute URLs or paths starting with one "/" ("//evil.example" is another host).
  if (base && !/^https?:\/\//i.test(value) && !/^\/(?![/\\])/.test(value)) return undefined;
  try {
    return new URL(value, base);
  } catch {
    return undefined;
  }
}
