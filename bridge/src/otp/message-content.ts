import type { Application, DeviceType } from '../apps/application.js';
import { chooseTemplate, renderTemplate } from '../apps/templates.js';
import { emailMessage } from '../email/email-message.js';
import { chooseEmailTemplate } from '../email/email-templates.js';
import type { EmailPart } from '../messaging/reference-api-client.js';
import type { AuthRecord } from './auth-record.js';

/** Which template a request asked for. */
export interface TemplateChoice {
  readonly locale?: string | undefined;
  readonly templateName?: string | undefined;
}

/** Refuses a `templateName` the application has no template of (TEMPLATE_NOT_FOUND), before anything is counted. */
export function refuseUnknownTemplate(
  app: Application,
  deviceType: DeviceType,
  choice: TemplateChoice,
): void {
  if (deviceType === 'EMAIL') {
    chooseEmailTemplate(app, choice);
  } else {
    chooseTemplate(app, { deviceType, ...choice });
  }
}

/** The message of a code: the rendered SMS text, or an email's text with its `email` part. */
export function messageContent(
  serverSecret: Buffer,
  app: Application,
  record: AuthRecord,
  values: { readonly code: string; readonly minutes: number },
): { text: string; email?: EmailPart } {
  const choice = { locale: record.locale, templateName: record.templateName };
  if (record.deviceType === 'EMAIL') {
    return emailMessage(serverSecret, app, choice, values);
  }
  return { text: renderTemplate(app, { deviceType: record.deviceType, ...choice }, values) };
}
