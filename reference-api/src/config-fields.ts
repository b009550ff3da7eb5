import { z } from 'zod';

// The shapes of variable config.ts and the providers' config blocks share, so each reads the same way.

/** `true`/`false`/`1`/`0` as a boolean. */
export const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

/** A whole number within [min, max], `def` when unset. */
export const int = (min: number, max: number, def: number) =>
  z.coerce.number().int().min(min).max(max).default(def);

/** A non-empty string, or unset. */
export const optional = z.string().min(1).optional();

/** A URL, or unset. */
export const url = z.url().optional();
