import { isIP } from 'node:net';
import { z } from 'zod';
import { parseInput } from '../apps/application-input.js';
import { CiamError } from '../errors.js';

// Control characters and bidi overrides: never legitimate in these fields, and they poison logs.
const SAFE = /^[^\p{Cc}\u202A-\u202E\u2066-\u2069]*$/u;

const text = (max: number) =>
  z
    .string('must be a string')
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .regex(SAFE, 'must not contain control characters');

/** Body of `POST /ciam-mfa/v2/deviceAuthentications`. */
export const issueBodySchema = z.strictObject(
  {
    userName: text(256),
    // One of the two, as deviceType asks: the use case names the one missing.
    phoneNumber: text(64).optional(),
    email: text(254).optional(),
    deviceType: text(32),
    templateName: z
      .string('must be a string')
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, dots, dashes or underscores')
      .optional(),
    locale: z
      .string('must be a string')
      .regex(
        /^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8}){0,3}$/,
        'must be a language tag such as en or pt-BR',
      )
      .optional(),
    ipAddress: z
      .string('must be a string')
      .max(45, 'must be an IPv4 or IPv6 address')
      .refine((v) => isIP(v) !== 0, 'must be an IPv4 or IPv6 address')
      .optional(),
  },
  'must be a JSON object',
);

/** Body of `POST /ciam-mfa/v2/deviceAuthentications/{authId}`. */
export const verifyBodySchema = z.strictObject(
  {
    otp: z.string('must be a string of digits').max(64, 'must be at most 64 characters'),
    deviceType: text(32).optional(),
  },
  'must be a JSON object',
);

/** Body of `POST .../{authId}/resend`: nothing, or the end user's IP. */
export const resendBodySchema = z.strictObject(
  { ipAddress: issueBodySchema.shape.ipAddress },
  'must be a JSON object',
);

/** Parses a validation body; a problem with `otp` alone carries errorCode 10009 (an OTP of the wrong shape). */
export function parseVerifyBody(body: unknown): z.output<typeof verifyBodySchema> {
  try {
    return parseInput(verifyBodySchema, body);
  } catch (err) {
    const details =
      err instanceof CiamError
        ? (err.extra['details'] as { field: string }[] | undefined)
        : undefined;
    if (!details?.length || !details.every((d) => d.field === 'otp')) {
      throw err;
    }
    throw new CiamError('INVALID_REQUEST', (err as CiamError).message, {
      errorCode: 10009,
      details,
    });
  }
}
