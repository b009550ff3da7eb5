/** Default texts for a bare code, per language: {code} and {minutes} are filled in. */
const TEMPLATES: Record<string, string> = {
  en: 'Your verification code is {code}. It expires in {minutes} minutes. Do not share it with anyone.',
  pt: 'Seu código de verificação é {code}. Ele expira em {minutes} minutos. Não o compartilhe com ninguém.',
  de: 'Ihr Bestätigungscode lautet {code}. Er läuft in {minutes} Minuten ab. Geben Sie ihn nicht weiter.',
  es: 'Tu código de verificación es {code}. Caduca en {minutes} minutos. No lo compartas con nadie.',
  fr: 'Votre code de vérification est {code}. Il expire dans {minutes} minutes. Ne le partagez avec personne.',
};

/** The languages with a default template. */
export const TEMPLATE_LANGUAGES = Object.keys(TEMPLATES);

/** Renders the default text for `code` in the best language for `locale` (en when none fits). */
export function renderCodeText(
  code: string,
  ttlSeconds: number,
  locale: string | undefined,
): string {
  const language = (locale ?? 'en').toLowerCase().split(/[-_]/)[0] ?? 'en';
  const template = TEMPLATES[language] ?? TEMPLATES['en']!;
  const minutes = Math.max(1, Math.round(ttlSeconds / 60));
  return template.replace('{code}', code).replace('{minutes}', String(minutes));
}
