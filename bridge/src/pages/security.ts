import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

const CSRF_COOKIE = 'mfa_csrf';
const CSRF_FIELD = '_csrf';

/**
 * Headers for the hosted pages: a strict CSP (own scripts and styles only, no inline code, no
 * framing, forms only to this origin and the return URL's), no caching, no referrer.
 */
export function pageSecurityHeaders(): RequestHandler {
  const csp = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        connectSrc: ["'self'"],
        baseUri: ["'none'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
  });
  return (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    csp(req, res, next);
  };
}

/** Lets the page's forms (and the redirects after them) reach `origin` (an allowed return URL's) as well as this site. */
export function allowFormTarget(res: Response, origin: string | undefined): void {
  const csp = res.getHeader('content-security-policy');
  if (!origin || typeof csp !== 'string' || !/^https?:\/\/[A-Za-z0-9.:[\]-]+$/.test(origin)) {
    return;
  }
  res.setHeader(
    'content-security-policy',
    csp.replace("form-action 'self'", `form-action 'self' ${origin}`),
  );
}

/** The request's cookies, parsed by hand (two small cookies do not warrant a dependency). */
export function cookiesOf(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at < 1) {
      continue;
    }
    try {
      out[part.slice(0, at).trim()] = decodeURIComponent(part.slice(at + 1).trim());
    } catch {
      // a cookie we did not write; ignore it
    }
  }
  return out;
}

/** HMAC-SHA256 of `purpose` and `value` with the bridge's server secret, base64url. */
export function sign(secret: Buffer, purpose: string, value: string): string {
  return createHmac('sha256', secret).update(`${purpose}\0${value}`).digest('base64url');
}

/** Compares two strings in constant time (after a length check that leaks only the length). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * CSRF protection by a signed double-submit cookie (OWASP's recommended variant): a random,
 * HttpOnly cookie per browser, and in every form the HMAC of it under the server secret.
 */
export class Csrf {
  constructor(
    private readonly secret: Buffer,
    private readonly secure: boolean,
  ) {}

  /** The token for this browser's forms; sets the cookie first when the browser has none. */
  token(req: Request, res: Response): string {
    let id = cookiesOf(req)[CSRF_COOKIE];
    if (!id || !/^[A-Za-z0-9_-]{43}$/.test(id)) {
      id = randomBytes(32).toString('base64url');
      res.cookie(CSRF_COOKIE, id, {
        httpOnly: true,
        sameSite: 'lax',
        secure: this.secure,
        path: '/',
      });
    }
    return sign(this.secret, 'csrf', id);
  }

  /** Whether a posted form carries the token that matches this browser's cookie. */
  valid(req: Request): boolean {
    const id = cookiesOf(req)[CSRF_COOKIE];
    const sent = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD];
    return (
      Boolean(id) &&
      typeof sent === 'string' &&
      safeEqual(sent, sign(this.secret, 'csrf', id ?? ''))
    );
  }
}

/** The form field that carries the token. */
export const CSRF_FIELD_NAME = CSRF_FIELD;
