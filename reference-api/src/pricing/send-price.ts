import { InvalidPhoneError, normalisePhone } from '@sms-mfa/common/phone';
import type { Channel, Price, SendResult } from '../providers/sms-provider.js';
import { tablePrice, type PriceTable } from './price-table.js';

/** A sent message's price as its record shows it: the provider's word, else the table's. */
export interface RecordedPrice extends Price {
  readonly source: 'provider' | 'table';
}

/** The price of a send: what the provider reported wins; otherwise the table's; otherwise none. */
export function priceOfSend(
  result: SendResult,
  table: PriceTable | undefined,
  message: { readonly channel: Channel; readonly to: string },
): RecordedPrice | undefined {
  if (result.price) {
    return { ...result.price, source: 'provider' };
  }
  const fromTable = tablePrice(table, message.channel, message.to);
  return fromTable ? { ...fromTable, source: 'table' } : undefined;
}

/** The destination's ISO 3166 alpha-2 country, or "" for an email or a number no country claims. */
export function countryOf(channel: Channel, to: string): string {
  if (channel === 'email') {
    return '';
  }
  try {
    return normalisePhone(to).country ?? '';
  } catch (err) {
    if (err instanceof InvalidPhoneError) {
      return '';
    }
    throw err;
  }
}
