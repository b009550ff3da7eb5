import { html, type SafeHtml } from './html.js';
import type { Locale } from './i18n.js';

/** Where the pages' CSS and scripts are served from. */
export const STATIC_PATH = '/pages/static';

/** One page of the hosted UI. */
export interface Frame {
  readonly locale: Locale;
  readonly title: string;
  /** Shown above the card, like the realm name on Keycloak's login page. */
  readonly brand: string;
  readonly body: SafeHtml;
  /** Beside (on a phone: under) the card; the demo's outbox panel. */
  readonly aside?: SafeHtml | undefined;
  /** Stylesheets under {@link STATIC_PATH} after pages.css (the admin page's wider card and charts). */
  readonly stylesheets?: readonly string[];
  /** Script files under {@link STATIC_PATH}; never inline code (the CSP forbids it). */
  readonly scripts?: readonly string[];
}

/** The page shell: Keycloak-like header, one centred card, the stylesheet and deferred scripts. */
export function layout(frame: Frame): SafeHtml {
  return html`<!doctype html>
    <html lang="${frame.locale}">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>${frame.title} · ${frame.brand}</title>
        <link rel="stylesheet" href="${STATIC_PATH}/pages.css" />
        ${(frame.stylesheets ?? []).map((s) => html`<link rel="stylesheet" href="${STATIC_PATH}/${s}" /> `)}
        ${(frame.scripts ?? []).map((s) => html`<script src="${STATIC_PATH}/${s}" defer></script> `)}
      </head>
      <body>
        <div class="page">
          <header class="page-header"><p class="brand">${frame.brand}</p></header>
          <main class="card" aria-labelledby="page-title">
            <h1 id="page-title">${frame.title}</h1>
            ${frame.body}
          </main>
          ${frame.aside}
        </div>
      </body>
    </html> `;
}
