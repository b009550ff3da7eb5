import { z } from 'zod';

/** What an application's sends may cost per UTC day, in the currency of the reference API's prices. */
export interface DailyBudget {
  /** More than 0. */
  readonly amount: number;
  /** ISO 4217, upper case: USD, EUR. */
  readonly currency: string;
}

/** `{"amount": 25, "currency": "USD"}`, or null to take the cap away. */
export const dailyBudgetSchema = z
  .strictObject({
    amount: z.number().finite().positive('must be more than 0').max(1e9, 'is too large'),
    currency: z
      .string()
      .transform((v) => v.toUpperCase())
      .pipe(z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD')),
  })
  .nullable();

/** `25:USD` (the CLI's `--daily-budget`) as a budget; anything else is passed on for the schema to name. */
export function parseBudgetFlag(value: string): unknown {
  const match = /^\s*([0-9]+(?:\.[0-9]+)?)\s*:\s*([A-Za-z]+)\s*$/.exec(value);
  return match ? { amount: Number(match[1]), currency: match[2] } : value;
}
