/** Default texts for a bare code, per language: {code} and {minutes} are filled in. */
const TEMPLATES: Record<string, string> = {
  en: 'Your verification code is {code}. It expires in {minutes} minutes. Do not share it with anyone.',
  pt: 'Seu código de verificação é {code}. Ele expira em {minutes} minutos. Não o compartilhe com ninguém.',
  de: 'Ihr Bestätigungscode lautet {code}. Er läuft in {minutes} Minuten ab. Geben Sie ihn nicht weiter.',
  es: 'Tu código de verificación es {code}. Caduca en {minutes} minutos. No lo compartas con nadie.',
  fr: 'Votre code de vérification est {code}. Il expire dans {minutes} minutes. Ne le partagez avec personne.',
};

// An email's default subject, per language. It leaves the code out: subjects show in notifications
// and mailbox lists, where a code is easier to shoulder-surf.
const SUBJECTS: Record<string, string> = {
  en: 'Your verification code',
  pt: 'Seu código de verificação',
  de: 'Ihr Bestätigungscode',
  es: 'Tu código de verificación',
  fr: 'Votre code de vérification',
};

/** The languages with a default template. */
export const TEMPLATE_LANGUAGES = Object.keys(TEMPLATES);

function languageOf(locale: string | undefined): string {
  const language = (locale ?? 'en').toLowerCase().split(/[-_]/)[0] ?? 'en';
  return language in TEMPLATES ? language : 'en';
}

/** Renders the default text for `code` in the best language for `locale` (en when none fits). */
export function renderCodeText(
  code: string,
  ttlSeconds: number,
  locale: string | undefined,
): string {
  const template = TEMPLATES[languageOf(locale)]!;
  const minutes = Math.max(1, Math.round(ttlSeconds / 60));
  return template.replace('{code}', code).replace('{minutes}', String(minutes));
}

/** The default subject of an email in the best language for `locale` (en when none fits). */
export function emailSubject(locale: string | undefined): string {
  return SUBJECTS[languageOf(locale)]!;
}
