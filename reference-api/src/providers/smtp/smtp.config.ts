import { z } from 'zod';
import { bool, optional } from '../../config-fields.js';
import { defineProviderConfig } from '../provider-module.js';

/** How the connection to the relay is protected. */
export type SmtpSecurity = 'starttls' | 'tls' | 'none';

/** The SMTP relay's settings; the host is checked at start-up only when smtp is enabled. */
export interface SmtpSettings {
  readonly host: string | undefined;
  readonly port: number;
  /** `starttls`: plain connect, then STARTTLS is required; `tls`: implicit TLS; `none`: plain (a local relay, tests). */
  readonly security: SmtpSecurity;
  readonly user: string | undefined;
  readonly password: string | undefined;
  /** Refuse a relay whose certificate does not verify (SMTP_TLS_REJECT_UNAUTHORIZED, default true). */
  readonly rejectUnauthorized: boolean;
}

// SMTP_SECURE is nodemailer's own name for implicit TLS, kept as an alias: true is `tls`, false `starttls`.
function securityOf(e: { SMTP_SECURITY?: SmtpSecurity; SMTP_SECURE?: boolean }): SmtpSecurity {
  return e.SMTP_SECURITY ?? (e.SMTP_SECURE ? 'tls' : 'starttls');
}

/** The SMTP_* variables (README, "SMTP"). */
export const smtpConfig = defineProviderConfig({
  env: z.object({
    SMTP_HOST: optional,
    SMTP_PORT: z.coerce.number().int().min(1).max(65535).optional(),
    SMTP_SECURITY: z
      .enum(['starttls', 'tls', 'none'], 'must be one of starttls, tls, none')
      .optional(),
    SMTP_SECURE: bool.optional(),
    SMTP_USER: optional,
    SMTP_PASSWORD: optional,
    SMTP_TLS_REJECT_UNAUTHORIZED: bool.default(true),
  }),
  secrets: ['SMTP_PASSWORD'],
  required: [
    'SMTP_HOST',
    { name: 'SMTP_PASSWORD', met: (e) => !e.SMTP_USER || Boolean(e.SMTP_PASSWORD) },
  ],
  settings: (e): SmtpSettings => {
    const security = securityOf(e);
    return {
      host: e.SMTP_HOST,
      port: e.SMTP_PORT ?? (security === 'tls' ? 465 : 587),
      security,
      user: e.SMTP_USER,
      password: e.SMTP_PASSWORD,
      rejectUnauthorized: e.SMTP_TLS_REJECT_UNAUTHORIZED,
    };
  },
});
