import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
import { z } from 'zod';
import type { FieldIssue } from '@sms-mfa/common/app-error';
import { dailyBudgetSchema } from '../budget/daily-budget.js';
import { CiamError } from '../errors.js';
import { emailFromSchema } from '../email/email-from.js';
import { emailTemplatesSchema } from '../email/email-templates.js';
import { DEVICE_TYPES } from './application.js';
import { brandSchema, templatesSchema } from './templates.js';
import { totpSettingsSchema } from '../totp/totp-settings.schema.js';
import { testDevicesSchema } from './test-devices.js';

/** Scopes an application may be granted. */
export const SCOPES = ['mfa:send', 'mfa:verify', 'mfa:admin'] as const;
/** One of {@link SCOPES}. */
export type Scope = (typeof SCOPES)[number];

const CONTROL = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;
const HOSTNAME =
  /^(?=.{1,253}$)(?:localhost|(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})$/i;
// An alphanumeric sender id (at most 11 characters, at least one letter) or a number in E.164.
const SENDER_ID = /^(?:(?=[A-Za-z0-9 ]*[A-Za-z])[A-Za-z0-9 ]{1,11}|\+[1-9]\d{6,14})$/;

/** A client id as OAuth clients and Keycloak know them. */
export const clientIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9._-]{3,64}$/, 'use 3-64 letters, digits, dots, dashes or underscores');

const unique = <T>(list: readonly T[]) => new Set(list).size === list.length;
const uniqueArray = <S extends z.ZodType>(item: S, max: number) =>
  z.array(item).max(max).refine(unique, 'must not repeat a value');

const deviceType = z
  .string()
  .transform((v) => v.toUpperCase())
  .pipe(z.enum(DEVICE_TYPES, `must be one of ${DEVICE_TYPES.join(', ')}`));
const country = z
  .string()
  .transform((v) => v.toUpperCase())
  .refine(
    (v) => /^[A-Z]{2}$/.test(v) && isSupportedCountry(v as CountryCode),
    'must be an ISO 3166-1 alpha-2 country code',
  );
const returnUrl = z
  .string()
  .max(2048)
  .refine(isAllowedReturnUrl, 'must be an https URL (http only for localhost)');

/** The settings an administrator may set; every one is optional on PATCH. */
const settings = {
  name: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .refine((v) => !CONTROL.test(v), 'must not contain control characters'),
  brand: brandSchema,
  templates: templatesSchema,
  codeLength: z.number().int().min(4).max(10),
  otpTtlSeconds: z.number().int().min(60).max(600),
  maxAttempts: z.number().int().min(1).max(20),
  resendCooldownSeconds: z.number().int().min(0).max(3600),
  maxSendsPerAuth: z.number().int().min(1).max(20),
  deviceTypes: uniqueArray(deviceType, DEVICE_TYPES.length).min(1),
  totp: totpSettingsSchema,
  allowedCountries: uniqueArray(country, 250),
  senderId: z
    .string()
    .regex(SENDER_ID, 'must be up to 11 letters and digits, or a number in E.164')
    .nullable(),
  webOtpDomain: z
    .string()
    .regex(HOSTNAME, 'must be a host name such as example.com')
    .transform((v) => v.toLowerCase())
    .nullable(),
  returnUrls: uniqueArray(returnUrl, 20),
  scopes: uniqueArray(z.enum(SCOPES, `must be one of ${SCOPES.join(', ')}`), SCOPES.length),
  emailFrom: emailFromSchema,
  emailTemplates: emailTemplatesSchema,
  allowTestDevices: z.boolean(),
  testDevices: testDevicesSchema,
  dailyBudget: dailyBudgetSchema,
};

const optionalSettings = z.strictObject(settings).partial();

/** Body of `POST /admin/v1/applications` (and `apps create`): a name, and any setting to differ from the defaults. */
export const createApplicationSchema = optionalSettings.extend({
  clientId: clientIdSchema.optional(),
  name: settings.name,
});
/** A validated new application. */
export type CreateApplicationInput = z.output<typeof createApplicationSchema>;

/** Body of `PATCH /admin/v1/applications/{clientId}`: any subset of the settings, at least one. */
export const updateApplicationSchema = optionalSettings.refine(
  (patch) => Object.keys(patch).length > 0,
  {
    message: 'name at least one setting to change',
    when: (payload) => payload.issues.length === 0,
  },
);
/** A validated change to an application. */
export type UpdateApplicationInput = z.output<typeof updateApplicationSchema>;

/** Parses untrusted input with `schema`, or throws INVALID_REQUEST naming every field at fault. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) {
    return parsed.data;
  }
  const details = fieldIssues(parsed.error);
  throw new CiamError('INVALID_REQUEST', `invalid ${details.map((d) => d.field).join(', ')}`, {
    details,
  });
}

/** zod issues as `{field, message}`, one per unknown key too. */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue) => {
    const base = issue.path.join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: base ? `${base}.${key}` : key,
        message: 'is not a known field',
      }));
    }
    return [{ field: base || 'body', message: issue.message }];
  });
}

function isAllowedReturnUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  return (
    (url.protocol === 'https:' || (url.protocol === 'http:' && local)) &&
    !url.username &&
    !url.password
  );
}
