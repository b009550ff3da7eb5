import type { EmailTemplate } from '../apps/application.js';

/** The words of one language's built-in email; `{code}`, `{minutes}`, `{brand}` as in any template. */
interface Words {
  readonly locale: string;
  readonly subject: string;
  readonly lead: string;
  readonly expiry: string;
  readonly warning: string;
}

const WORDS: readonly Words[] = [
  {
    locale: 'en',
    subject: '{brand}: your verification code',
    lead: 'Your {brand} verification code is:',
    expiry: 'It expires in {minutes} minutes.',
    warning: 'If you did not ask for it, ignore this email. Never share the code with anyone.',
  },
  {
    locale: 'pt-BR',
    subject: '{brand}: seu código de verificação',
    lead: 'Seu código de verificação {brand} é:',
    expiry: 'Ele expira em {minutes} minutos.',
    warning: 'Se você não o solicitou, ignore este e-mail. Nunca compartilhe o código com ninguém.',
  },
  {
    locale: 'de',
    subject: '{brand}: Ihr Bestätigungscode',
    lead: 'Ihr {brand}-Bestätigungscode lautet:',
    expiry: 'Er läuft in {minutes} Minuten ab.',
    warning:
      'Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese E-Mail. Geben Sie den Code niemals weiter.',
  },
  {
    locale: 'es',
    subject: '{brand}: tu código de verificación',
    lead: 'Tu código de verificación de {brand} es:',
    expiry: 'Caduca en {minutes} minutos.',
    warning: 'Si no lo has solicitado, ignora este correo. Nunca compartas el código con nadie.',
  },
  {
    locale: 'fr',
    subject: '{brand} : votre code de vérification',
    lead: 'Votre code de vérification {brand} est :',
    expiry: 'Il expire dans {minutes} minutes.',
    warning:
      'Si vous ne l’avez pas demandé, ignorez cet e-mail. Ne communiquez jamais ce code à personne.',
  },
];

function template(w: Words): EmailTemplate {
  return {
    name: 'default',
    locale: w.locale,
    subject: w.subject,
    text: `${w.lead} {code}\n\n${w.expiry}\n${w.warning}\n`,
    html:
      `<!doctype html><html lang="${w.locale}"><body style="font-family:sans-serif;color:#1f2328">` +
      `<p>${w.lead}</p>` +
      '<p style="font-size:28px;font-weight:bold;letter-spacing:6px;margin:16px 0">{code}</p>' +
      `<p>${w.expiry}</p><p style="color:#59636e">${w.warning}</p></body></html>`,
  };
}

/** The emails used when an application has no template that fits: en (first, the last resort), pt-BR, de, es, fr. */
export const BUILT_IN_EMAIL_TEMPLATES: readonly EmailTemplate[] = WORDS.map(template);
