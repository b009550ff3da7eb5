import { z } from 'zod';
import { DEFAULT_TOTP_SETTINGS, TOTP_ALGORITHMS, TOTP_DIGITS } from './totp-settings.js';

/** An application's `totp` setting as an administrator writes it: `{algorithm, digits}`, each optional. */
export const totpSettingsSchema = z.strictObject(
  {
    algorithm: z
      .string()
      .transform((v) => v.toUpperCase().replace('-', ''))
      .pipe(z.enum(TOTP_ALGORITHMS, `must be one of ${TOTP_ALGORITHMS.join(', ')}`))
      .default(DEFAULT_TOTP_SETTINGS.algorithm),
    digits: z
      .union(
        TOTP_DIGITS.map((d) => z.literal(d)),
        `must be ${TOTP_DIGITS.join(' or ')}`,
      )
      .default(DEFAULT_TOTP_SETTINGS.digits),
  },
  'must be an object with algorithm and digits',
);
