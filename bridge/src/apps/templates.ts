import { z } from 'zod';
import { CiamError } from '../errors.js';
import { DEVICE_TYPES, type Application, type DeviceType } from './application.js';
import { noRepeats } from './no-repeats.js';

/** The placeholders a template may use. */
export const PLACEHOLDERS = ['code', 'minutes', 'brand'] as const;
/** The text used when an application has no template that fits. */
export const DEFAULT_TEMPLATE_TEXT =
  '{brand}: your verification code is {code}. It expires in {minutes} minutes.';
/** Longest template text: two SMS segments, leaving room for the brand, the code and the WebOTP line. */
export const MAX_TEMPLATE_LENGTH = 320;

// Control characters and bidirectional overrides: they could hide or reorder text on a phone.
const UNSAFE = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'gu');
const UNSAFE_EXCEPT_NEWLINE =
  /[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u;
const TOKEN = /\{([^{}]*)\}|[{}]/g;

/** A device type, case-insensitive. */
export const deviceTypeSchema = z
  .string()
  .transform((v) => v.toUpperCase())
  .pipe(z.enum(DEVICE_TYPES, `must be one of ${DEVICE_TYPES.join(', ')}`));

/** The brand shown in messages. */
export const brandSchema = z
  .string()
  .trim()
  .min(1)
  .max(40)
  .refine((v) => !UNSAFE.test(v), 'must not contain control characters');

/** A BCP 47 language tag, canonicalised ("pt-br" → "pt-BR"). */
export const localeSchema = z
  .string()
  .max(35)
  .transform((value, ctx) => {
    try {
      const [canonical] = Intl.getCanonicalLocales(value);
      if (canonical) {
        return canonical;
      }
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'must be a BCP 47 language tag such as en or pt-BR' });
    return z.NEVER;
  });

const textSchema = z
  .string()
  .min(1)
  .max(MAX_TEMPLATE_LENGTH)
  .superRefine((text, ctx) => {
    for (const problem of templateProblems(text)) {
      ctx.addIssue({ code: 'custom', message: problem });
    }
  });

/** A template name as `templateName` selects it; "default" when none is given. */
export const templateNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'use 1-64 letters, digits, dots, dashes or underscores')
  .default('default');

const templateSchema = z.strictObject({
  name: templateNameSchema,
  locale: localeSchema.default('en'),
  deviceType: deviceTypeSchema.default('SMS'),
  text: textSchema,
});

/** An application's templates: at most 50, one per name, locale and device type. */
export const templatesSchema = z
  .array(templateSchema)
  .max(50)
  .superRefine(
    noRepeats(
      (t) => `${t.name}|${t.locale.toLowerCase()}|${t.deviceType}`,
      "repeats another template's name, locale and device type",
    ),
  );

/** Why a template text cannot be saved: unknown placeholders, stray braces, no {code}, control characters. */
export function templateProblems(text: string): string[] {
  const problems = placeholderProblems(text);
  if (!text.includes('{code}')) {
    problems.push('must contain {code}');
  }
  if (UNSAFE_EXCEPT_NEWLINE.test(text)) {
    problems.push('must not contain control characters other than line breaks');
  }
  return problems;
}

/** Unknown placeholders and stray braces in a template text. */
export function placeholderProblems(text: string): string[] {
  const problems: string[] = [];
  for (const match of text.matchAll(TOKEN)) {
    const name = match[1];
    if (name === undefined) {
      problems.push('has a brace that opens or closes no placeholder');
    } else if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      problems.push(`uses the unknown placeholder {${name}}; use {code}, {minutes} or {brand}`);
    }
  }
  return problems;
}

/** Which template to render. */
export interface TemplateSelector {
  readonly deviceType: DeviceType;
  readonly locale?: string | undefined;
  readonly templateName?: string | undefined;
}

/** The values a template is filled with. */
export interface TemplateValues {
  readonly code: string;
  readonly minutes: number;
}

/**
 * Renders the message for a code: the best template (exact locale, then language, then "en",
 * then the built-in default), values filled in one pass so none can inject a placeholder, and
 * the WebOTP line (`@domain #code`) last on SMS when the application has a domain.
 * Throws TEMPLATE_NOT_FOUND for a `templateName` the application does not have.
 */
export function renderTemplate(
  app: Application,
  selector: TemplateSelector,
  values: TemplateValues,
): string {
  const code = clean(values.code);
  const fill: Record<string, string> = {
    code,
    minutes: String(Math.max(1, Math.round(values.minutes))),
    brand: clean(app.brand),
  };
  const body = chooseTemplate(app, selector).replace(TOKEN, (whole, name: string | undefined) =>
    name !== undefined ? (fill[name] ?? '') : whole,
  );
  if (!app.webOtpDomain || selector.deviceType !== 'SMS') {
    return body;
  }
  return `${body}\n\n@${app.webOtpDomain} #${code}`;
}

/** The template text for a selector; see {@link renderTemplate}. */
export function chooseTemplate(app: Application, selector: TemplateSelector): string {
  const wanted = selector.templateName ?? 'default';
  const named = app.templates.filter((t) => t.name === wanted);
  if (named.length === 0 && wanted !== 'default') {
    throw new CiamError('TEMPLATE_NOT_FOUND', `Template not found: ${wanted.slice(0, 64)}`);
  }
  const sameDevice = named.filter((t) => t.deviceType === selector.deviceType);
  const pool = sameDevice.length ? sameDevice : named;
  const found = byLocale(pool, selector.locale);
  if (found) {
    return found.text;
  }
  return wanted === 'default' || !pool[0] ? DEFAULT_TEMPLATE_TEXT : pool[0].text;
}

/** The template of `pool` for `locale`: the exact tag, then the language, then English; undefined when none. */
export function byLocale<T extends { readonly locale: string }>(
  pool: readonly T[],
  locale: string | undefined,
): T | undefined {
  const wanted = (locale ?? 'en').toLowerCase().replace('_', '-');
  const tag = (t: T) => t.locale.toLowerCase();
  const sameLanguage = (language: string) =>
    pool.find((t) => tag(t) === language) ?? pool.find((t) => tag(t).split('-')[0] === language);
  // The exact tag, then the bare language ("pt" for "pt-PT") before a sibling region ("pt-BR"), then English.
  return (
    pool.find((t) => tag(t) === wanted) ??
    sameLanguage(wanted.split('-')[0] ?? 'en') ??
    sameLanguage('en')
  );
}

/** Placeholder values are plain text: no control characters, no bidi overrides. */
function clean(value: string): string {
  return value.replace(UNSAFE_ALL, '').trim();
}
