// The operator's price table (PRICE_TABLE_FILE): what a send costs per channel and destination prefix,
// for sends whose provider does not say. README, "Spend and the price table".
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { Channel, Price } from '../providers/sms-provider.js';

/** Prices per channel: `+prefix` (or `*`, the fallback) → amount per message in the table's currency. */
export interface PriceTable {
  readonly currency: string;
  readonly prices: Readonly<Partial<Record<Channel, Readonly<Record<string, number>>>>>;
}

const PREFIX = /^(\+[1-9]\d{0,14}|\*)$/;
const amount = z.number().finite().min(0, 'must be 0 or more');
const channelPrices = z.record(
  z.string().regex(PREFIX, 'must be a +prefix of digits or *'),
  amount,
);

/** A currency code: three capital letters (ISO 4217). */
export const currencySchema = z
  .string()
  .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD');

const schema = z.strictObject({
  currency: currencySchema,
  prices: z.strictObject({
    sms: channelPrices.optional(),
    whatsapp: channelPrices.optional(),
    telegram: channelPrices.optional(),
    email: channelPrices.optional(),
  }),
});

/** Reads and checks the table at `path`: the table, or one line saying what is wrong and where. */
export function readPriceTable(path: string): { table: PriceTable } | { problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    return { problem: `${path}: ${(err as Error).message.split('\n')[0]}` };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const message =
      issue.code === 'invalid_key' ? 'must be a +prefix of digits or *' : issue.message;
    return { problem: `${path}: ${pathOf(issue.path) || '(root)'}: ${message}` };
  }
  return { table: parsed.data };
}

/** `prices.sms["+44"]`: where in the file a problem is. */
function pathOf(path: readonly PropertyKey[]): string {
  return path
    .map((p) =>
      /^[A-Za-z_]\w*$/.test(String(p)) ? `.${String(p)}` : `[${JSON.stringify(String(p))}]`,
    )
    .join('')
    .replace(/^\./, '');
}

/**
 * What the table says a message to `to` on `channel` costs: the longest `+prefix` of the E.164
 * number, else `*`; an email by `*` alone. Undefined when the table does not price it.
 */
export function tablePrice(
  table: PriceTable | undefined,
  channel: Channel,
  to: string,
): Price | undefined {
  const prices = table?.prices[channel];
  if (!table || !prices) {
    return undefined;
  }
  let found = prices['*'];
  if (channel !== 'email') {
    for (let length = to.length; length > 1; length--) {
      const price = prices[to.slice(0, length)];
      if (price !== undefined) {
        found = price;
        break;
      }
    }
  }
  return found === undefined ? undefined : { amount: found, currency: table.currency };
}
