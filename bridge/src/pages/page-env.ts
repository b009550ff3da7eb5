import type { Request, Response } from 'express';
import type { Application } from '../apps/application.js';
import type { BridgeConfig } from '../config.js';
import type { OtpDeps } from '../otp/otp-deps.js';
import type { SafeHtml } from './html.js';
import { negotiateLocale, type Locale, type Messages, type Translate } from './i18n.js';
import { layout, type Frame } from './layout.js';
import type { Csrf } from './security.js';

/** Adds a panel beside the code form for one authentication (the demo's dev outbox), or nothing. */
export type Aside = (req: Request, authId: string, t: Translate) => Promise<SafeHtml | undefined>;

/** What the hosted pages work with. */
export interface PageEnv {
  readonly deps: OtpDeps;
  readonly apps: { get(clientId: string): Promise<Application | undefined> };
  readonly config: Readonly<BridgeConfig>;
  readonly messages: Messages;
  readonly csrf: Csrf;
  readonly asides: Aside[];
}

/** The request's language (Accept-Language) and a translator for it. */
export function languageOf(
  env: Pick<PageEnv, 'messages'>,
  req: Request,
): { locale: Locale; t: Translate } {
  const locale = negotiateLocale(req.get('accept-language'));
  return { locale, t: env.messages.translator(locale) };
}

/** Sends a whole page. */
export function sendPage(res: Response, status: number, frame: Frame): void {
  res.status(status).type('html').send(layout(frame).value);
}
