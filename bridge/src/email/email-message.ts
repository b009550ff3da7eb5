import type { Application } from '../apps/application.js';
import type { EmailPart } from '../messaging/reference-api-client.js';
import { openDkimKey } from './dkim-key.js';
import { emailSenderOf } from './email-destination.js';
import { renderEmail, type EmailTemplateSelector } from './email-templates.js';

/**
 * The email of a code as the reference API takes it: the plain text, and the `email` part with the
 * sender, the rendered subject and HTML, and the DKIM key (opened here, only for this request).
 */
export function emailMessage(
  serverSecret: Buffer,
  app: Application,
  selector: EmailTemplateSelector,
  values: { readonly code: string; readonly minutes: number },
): { text: string; email: EmailPart } {
  const { from, dkim } = emailSenderOf(app);
  const rendered = renderEmail(app, selector, values);
  return {
    text: rendered.text,
    email: {
      from,
      subject: rendered.subject,
      ...(rendered.html === undefined ? {} : { html: rendered.html }),
      dkim: {
        domain: dkim.domain,
        selector: dkim.selector,
        privateKey: openDkimKey(serverSecret, app.clientId, dkim),
      },
    },
  };
}
