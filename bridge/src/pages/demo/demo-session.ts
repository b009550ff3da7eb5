import type { Request, Response } from 'express';
import { cookiesOf, safeEqual, sign } from '../security.js';

const COOKIE = 'demo_session';
const LIFETIME_MS = 30 * 60_000;

/**
 * Where a demo visitor is: password checked and choosing how to get a code (`choose`), a code on
 * its way (`code`), or signed in (`in`).
 */
export interface DemoSession {
  readonly username: string;
  readonly stage: 'choose' | 'code' | 'in';
  /** The authentication the code belongs to, while at the `code` stage. */
  readonly authId?: string | undefined;
  /** How the code comes: by SMS, or from the user's authenticator app. */
  readonly method?: 'sms' | 'totp' | undefined;
  /** An authenticator app enrolled and waiting for its first code, while signed in. */
  readonly enrolling?: string | undefined;
}

/** The demo's session in one cookie: the payload, then its HMAC under the server secret (HttpOnly, SameSite=Lax). */
export class DemoSessions {
  constructor(
    private readonly secret: Buffer,
    private readonly secure: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  /** The session this request carries, if its signature is right and it has not run out. */
  read(req: Request): DemoSession | undefined {
    const [payload = '', mac = ''] = (cookiesOf(req)[COOKIE] ?? '').split('.');
    if (!payload || !safeEqual(mac, sign(this.secret, COOKIE, payload))) {
      return undefined;
    }
    try {
      const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as DemoSession & {
        exp: number;
      };
      return data.exp > this.now()
        ? {
            username: data.username,
            stage: data.stage,
            authId: data.authId,
            method: data.method,
            enrolling: data.enrolling,
          }
        : undefined;
    } catch {
      return undefined;
    }
  }

  /** Starts or moves the session on. */
  write(res: Response, session: DemoSession): void {
    const payload = Buffer.from(
      JSON.stringify({ ...session, exp: this.now() + LIFETIME_MS }),
    ).toString('base64url');
    res.cookie(COOKIE, `${payload}.${sign(this.secret, COOKIE, payload)}`, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.secure,
      path: '/',
      maxAge: LIFETIME_MS,
    });
  }

  /** Signs out. */
  clear(res: Response): void {
    res.clearCookie(COOKIE, { httpOnly: true, sameSite: 'lax', secure: this.secure, path: '/' });
  }
}
