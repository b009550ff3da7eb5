import { z } from 'zod';
import type { FieldIssue } from '@sms-mfa/common/app-error';
import { invalidRequest } from '../errors.js';
import { emailSchema, type EmailInput } from './email-input.js';
import { isEmailAddress, MAX_ADDRESS_LENGTH } from './mailbox.js';

/** Longest text we queue: ten concatenated GSM-7 segments. */
export const MAX_TEXT_LENGTH = 1600;
const CODE = /^\d{4,10}$/;
const NO_CONTROL = /^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$/;

const text = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_TEXT_LENGTH, `must be at most ${MAX_TEXT_LENGTH} characters`)
  .regex(NO_CONTROL, 'must not contain control characters');
const locale = z
  .string()
  .regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/, 'must be a language tag such as en or pt-BR');
const ttlSeconds = z
  .number()
  .int('must be a whole number')
  .min(30, 'must be at least 30')
  .max(3600, 'must be at most 3600');
const MAX_PHONE_LENGTH = 64;
const phone = z.string().min(1, 'must not be empty').max(MAX_PHONE_LENGTH, 'is too long');
/** The caller's own application id, for spend accounting (1–64 printable ASCII). */
const account = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[\x20-\x7E]+$/, 'must be printable ASCII');
const destination = z.string().min(1, 'must not be empty').max(MAX_ADDRESS_LENGTH, 'is too long');

/** The channels `POST /v1/messages` takes. */
export const CHANNELS = ['sms', 'whatsapp', 'telegram', 'email'] as const;

type Destination = { to: string; channel: (typeof CHANNELS)[number]; email?: unknown };

// `to` is an address on the email channel and a number elsewhere; `email` belongs to the email channel only.
function checkDestination(m: Destination, ctx: z.RefinementCtx): void {
  if (m.channel === 'email' && !isEmailAddress(m.to)) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be an email address' });
  }
  if (m.channel !== 'email' && m.to.length > MAX_PHONE_LENGTH) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'is too long' });
  }
  if (m.channel !== 'email' && m.email !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['email'], message: 'is only for channel email' });
  }
}

/** `POST /v1/messages`. */
export const messageRequestSchema = z
  .strictObject({
    to: destination,
    code: z.string().regex(CODE, 'must be 4 to 10 digits').optional(),
    text: text.optional(),
    channel: z.enum(CHANNELS, `must be one of ${CHANNELS.join(', ')}`).default('sms'),
    locale: locale.optional(),
    ttlSeconds: ttlSeconds.default(300),
    clientRef: z
      .string()
      .min(1)
      .max(64, 'must be at most 64 characters')
      .regex(/^[\x21-\x7E]+$/, 'must be printable ASCII without spaces')
      .optional(),
    email: emailSchema.optional(),
    account: account.optional(),
  })
  .superRefine(checkDestination)
  .refine((m) => (m.code === undefined) !== (m.text === undefined), {
    message: 'give exactly one of code or text',
    path: ['code'],
  });

/** `POST /api/sms`, the QriarLabs extension's payload: `totp` is a bare code or the whole text. */
export const smsRequestSchema = z.strictObject({
  mobile: phone,
  totp: text,
  used: z.boolean().optional(),
  locale: locale.optional(),
  ttlSeconds: ttlSeconds.default(300),
  account: account.optional(),
});

/** A message request after validation, in the one shape the use case takes. */
export interface MessageInput {
  readonly to: string;
  readonly code: string | undefined;
  readonly text: string | undefined;
  readonly channel: (typeof CHANNELS)[number];
  readonly locale: string | undefined;
  readonly ttlSeconds: number;
  readonly clientRef: string | undefined;
  /** Sender, subject, HTML and DKIM key of an email (channel email only). */
  readonly email: EmailInput | undefined;
  /** The caller's application (`account`), for spend accounting. */
  readonly account: string | undefined;
  /** Which field held the number, for error messages. */
  readonly phoneField: string;
}

/** Parses with `schema` or throws INVALID_REQUEST naming every bad field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) {
    return result.data;
  }
  throw invalidRequest(result.error.issues.flatMap(toFieldIssues));
}

function toFieldIssues(issue: z.core.$ZodIssue): FieldIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      field: [...issue.path, key].join('.'),
      message: 'is not a known field',
    }));
  }
  const field = issue.path.join('.') || 'body';
  const message =
    issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
  return [{ field, message }];
}

const SMS_FIELDS = new Set(['mobile', 'totp', 'used']);

/**
 * `POST /api/sms`'s body, validated: the usual payload (`mobile`, `totp`, maybe `used`, each well
 * formed) is checked here without zod's machinery; anything else goes through the schema, which
 * names every fault as before. Both give the same output for a body they both take.
 */
export function parseSmsRequest(body: unknown): z.output<typeof smsRequestSchema> {
  if (isPlainSmsRequest(body)) {
    const { mobile, totp, used } = body;
    return used === undefined
      ? { mobile, totp, ttlSeconds: 300 }
      : { mobile, totp, used, ttlSeconds: 300 };
  }
  return parseBody(smsRequestSchema, body);
}

// The schema's own rules for the three fields, for a body with no other field.
function isPlainSmsRequest(
  body: unknown,
): body is { mobile: string; totp: string; used?: boolean } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return false;
  }
  for (const key in body) {
    if (!SMS_FIELDS.has(key)) {
      return false;
    }
  }
  const { mobile, totp, used } = body as Record<string, unknown>;
  return (
    typeof mobile === 'string' &&
    mobile.length >= 1 &&
    mobile.length <= MAX_PHONE_LENGTH &&
    typeof totp === 'string' &&
    totp.length >= 1 &&
    totp.length <= MAX_TEXT_LENGTH &&
    NO_CONTROL.test(totp) &&
    (used === undefined || typeof used === 'boolean')
  );
}

/** Maps the QriarLabs payload onto the message input: a bare code is templated, a text is sent as it is. */
export function fromSmsRequest(body: z.output<typeof smsRequestSchema>): MessageInput {
  const isCode = CODE.test(body.totp);
  return {
    to: body.mobile,
    code: isCode ? body.totp : undefined,
    text: isCode ? undefined : body.totp,
    channel: 'sms',
    locale: body.locale,
    ttlSeconds: body.ttlSeconds,
    clientRef: undefined,
    email: undefined,
    account: body.account,
    phoneField: 'mobile',
  };
}

/** Maps `POST /v1/messages` onto the message input. */
export function fromMessageRequest(body: z.output<typeof messageRequestSchema>): MessageInput {
  return {
    ...body,
    code: body.code,
    text: body.text,
    locale: body.locale,
    clientRef: body.clientRef,
    email: body.email,
    account: body.account,
    phoneField: 'to',
  };
}
