import type { Request, Response } from 'express';
import { cookiesOf, safeEqual, sign } from '../security.js';

const COOKIE = 'mfa_admin';
/** An admin session is short: an hour, then the client secret again. */
export const ADMIN_SESSION_MS = 60 * 60_000;

/**
 * The admin page's session in one cookie: the signed-in client id and its expiry, then their HMAC
 * under the server secret. HttpOnly, SameSite=Strict, only sent to `/admin`, Secure on https.
 */
export class AdminSessions {
  constructor(
    private readonly secret: Buffer,
    private readonly secure: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  /** The client id this request is signed in as, if the cookie's signature is right and it has not run out. */
  read(req: Request): string | undefined {
    const [payload = '', mac = ''] = (cookiesOf(req)[COOKIE] ?? '').split('.');
    if (!payload || !safeEqual(mac, sign(this.secret, COOKIE, payload))) {
      return undefined;
    }
    try {
      const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
        clientId?: unknown;
        exp?: unknown;
      };
      return typeof data.clientId === 'string' &&
        typeof data.exp === 'number' &&
        data.exp > this.now()
        ? data.clientId
        : undefined;
    } catch {
      return undefined;
    }
  }

  /** Signs `clientId` in. */
  write(res: Response, clientId: string): void {
    const payload = Buffer.from(
      JSON.stringify({ clientId, exp: this.now() + ADMIN_SESSION_MS }),
    ).toString('base64url');
    res.cookie(COOKIE, `${payload}.${sign(this.secret, COOKIE, payload)}`, {
      ...this.options(),
      maxAge: ADMIN_SESSION_MS,
    });
  }

  /** Signs out. */
  clear(res: Response): void {
    res.clearCookie(COOKIE, this.options());
  }

  private options() {
    return { httpOnly: true, sameSite: 'strict', secure: this.secure, path: '/admin' } as const;
  }
}
