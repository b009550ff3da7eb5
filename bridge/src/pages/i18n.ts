import { fileURLToPath } from 'node:url';
import { formatMessage, readProperties } from './properties.js';

/** The languages of the Keycloak theme, which the hosted pages share. */
export const LOCALES = ['en', 'pt-BR', 'de', 'es', 'fr'] as const;
/** One of {@link LOCALES}. */
export type Locale = (typeof LOCALES)[number];

/** Looks a message up in one language and fills in `{0}`, `{1}`... */
export type Translate = (key: string, ...args: (string | number)[]) => string;

const THEME_MESSAGES = new URL(
  '../../../keycloak-theme/theme/sms-mfa/login/messages/',
  import.meta.url,
);
const PAGE_MESSAGES = new URL('./messages/', import.meta.url);

/** Every language's messages: the theme's bundles (shared texts) under the pages' own (page-only texts). */
export class Messages {
  readonly #bundles = new Map<Locale, Map<string, string>>();

  /** Reads the .properties files once, at start-up. */
  constructor(themeDir: URL = THEME_MESSAGES, pagesDir: URL = PAGE_MESSAGES) {
    for (const locale of LOCALES) {
      const suffix = locale.replace('-', '_');
      const theme = readProperties(
        fileURLToPath(new URL(`messages_${suffix}.properties`, themeDir)),
      );
      const pages = readProperties(fileURLToPath(new URL(`pages_${suffix}.properties`, pagesDir)));
      this.#bundles.set(locale, new Map([...theme, ...pages]));
    }
  }

  /** A translator for `locale`, falling back to English, then to the key itself. */
  translator(locale: Locale): Translate {
    const bundle = this.#bundles.get(locale);
    const english = this.#bundles.get('en');
    return (key, ...args) => formatMessage(bundle?.get(key) ?? english?.get(key) ?? key, args);
  }

  /** Whether English has `key` (tests check that every key a page uses exists). */
  has(key: string): boolean {
    return this.#bundles.get('en')?.has(key) ?? false;
  }
}

/** The best of {@link LOCALES} for an Accept-Language header (q-values honoured; "pt" means pt-BR); English by default. */
export function negotiateLocale(header: string | undefined): Locale {
  const ranges = (header ?? '').split(',').map((part, index) => {
    const [tag = '', ...params] = part.trim().split(';');
    const q = Number(
      params
        .find((p) => p.trim().startsWith('q='))
        ?.trim()
        .slice(2) ?? 1,
    );
    return { tag: tag.trim().toLowerCase(), q: Number.isFinite(q) ? q : 0, index };
  });
  ranges.sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag, q } of ranges) {
    if (q <= 0) {
      continue;
    }
    const found =
      LOCALES.find((l) => l.toLowerCase() === tag) ??
      LOCALES.find((l) => l.toLowerCase().split('-')[0] === tag.split('-')[0]);
    if (found) {
      return found;
    }
  }
  return 'en';
}
