import { z } from 'zod';
import type { Application, EmailTemplate } from '../apps/application.js';
import { noRepeats } from '../apps/no-repeats.js';
import {
  byLocale,
  localeSchema,
  placeholderProblems,
  templateNameSchema,
  templateProblems,
} from '../apps/templates.js';
import { CiamError } from '../errors.js';
import { BUILT_IN_EMAIL_TEMPLATES } from './built-in-email-templates.js';

/** Longest subject template: the reference API takes 200 characters once the brand is filled in. */
export const MAX_SUBJECT_LENGTH = 150;
/** Longest plain-text template: the reference API takes 1,600 characters of text. */
export const MAX_EMAIL_TEXT_LENGTH = 1500;
/** Longest HTML template (it is read with the application on every request). */
export const MAX_EMAIL_HTML_LENGTH = 20_000;

const CONTROL = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
const PLACEHOLDER = /\{(code|minutes|brand)\}/g;
// In HTML only a word in braces is a placeholder: CSS rules keep their braces.
const HTML_WORD_IN_BRACES = /\{([A-Za-z_]\w*)\}/g;

const addAll = (problems: readonly string[], ctx: z.RefinementCtx) => {
  for (const message of problems) {
    ctx.addIssue({ code: 'custom', message });
  }
};

const subjectSchema = z
  .string()
  .min(1)
  .max(MAX_SUBJECT_LENGTH)
  .superRefine((subject, ctx) => {
    addAll(placeholderProblems(subject), ctx);
    if (CONTROL.test(subject)) {
      ctx.addIssue({ code: 'custom', message: 'must be one line without control characters' });
    }
  });

const htmlSchema = z
  .string()
  .min(1)
  .max(MAX_EMAIL_HTML_LENGTH)
  .superRefine((html, ctx) => addAll(htmlProblems(html), ctx));

const emailTemplateSchema = z.strictObject({
  name: templateNameSchema,
  locale: localeSchema.default('en'),
  subject: subjectSchema,
  text: z
    .string()
    .min(1)
    .max(MAX_EMAIL_TEXT_LENGTH)
    .superRefine((text, ctx) => addAll(templateProblems(text), ctx)),
  html: htmlSchema.optional(),
});

/** An application's email templates: at most 50, one per name and locale. */
export const emailTemplatesSchema = z
  .array(emailTemplateSchema)
  .max(50)
  .superRefine(
    noRepeats(
      (t) => `${t.name}|${t.locale.toLowerCase()}`,
      "repeats another template's name and locale",
    ),
  );

function htmlProblems(html: string): string[] {
  const problems: string[] = [];
  for (const [, name] of html.matchAll(HTML_WORD_IN_BRACES)) {
    if (!['code', 'minutes', 'brand'].includes(name ?? '')) {
      problems.push(`uses the unknown placeholder {${name}}; use {code}, {minutes} or {brand}`);
    }
  }
  if (!html.includes('{code}')) {
    problems.push('must contain {code}');
  }
  return problems;
}

/** Which email template to render. */
export interface EmailTemplateSelector {
  readonly locale?: string | undefined;
  readonly templateName?: string | undefined;
}

/** A rendered email: subject, plain text, and HTML when the template has it. */
export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string | undefined;
}

/**
 * The email for a code: the application's template (by name, then locale as for SMS) or the built-in
 * one for the locale; values filled in one pass (none can inject a placeholder), HTML-escaped in HTML.
 * Throws TEMPLATE_NOT_FOUND for a `templateName` the application has no email template of.
 */
export function renderEmail(
  app: Application,
  selector: EmailTemplateSelector,
  values: { readonly code: string; readonly minutes: number },
): RenderedEmail {
  const template = chooseEmailTemplate(app, selector);
  const fill: Record<string, string> = {
    code: values.code,
    minutes: String(Math.max(1, Math.round(values.minutes))),
    brand: app.brand,
  };
  const render = (text: string, escape: (v: string) => string) =>
    text.replace(PLACEHOLDER, (_whole, name: string) => escape(fill[name] ?? ''));
  return {
    subject: render(template.subject, (v) => v),
    text: render(template.text, (v) => v),
    html: template.html === undefined ? undefined : render(template.html, escapeHtml),
  };
}

/** The email template for a selector; see {@link renderEmail}. */
export function chooseEmailTemplate(
  app: Application,
  selector: EmailTemplateSelector,
): EmailTemplate {
  const wanted = selector.templateName ?? 'default';
  const named = (app.emailTemplates ?? []).filter((t) => t.name === wanted);
  if (named.length === 0 && wanted !== 'default') {
    throw new CiamError('TEMPLATE_NOT_FOUND', `Template not found: ${wanted.slice(0, 64)}`);
  }
  const found = byLocale(named, selector.locale);
  if (found) {
    return found;
  }
  return byLocale(BUILT_IN_EMAIL_TEMPLATES, selector.locale) ?? BUILT_IN_EMAIL_TEMPLATES[0]!;
}

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
