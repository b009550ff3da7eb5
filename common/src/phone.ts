import {
  getCountries,
  getCountryCallingCode,
  parsePhoneNumberWithError,
  ParseError,
  type CountryCode,
} from 'libphonenumber-js/max';
import { LRUCache } from 'lru-cache';

/** A phone number that libphonenumber accepted, in E.164 with what is known of it. */
export interface NormalisedPhone {
  readonly e164: string;
  readonly country: CountryCode | undefined;
  readonly callingCode: string;
  readonly type: string | undefined;
}

/** Why a phone number was refused, for the error's message. */
export type PhoneProblem = 'unparseable' | 'invalid' | 'not_mobile';

/** Thrown for a phone number we cannot send to. */
export class InvalidPhoneError extends Error {
  override readonly name = 'InvalidPhoneError';
  constructor(readonly problem: PhoneProblem) {
    super(
      problem === 'not_mobile'
        ? 'the number is not a mobile number'
        : 'the number is not a valid international phone number (E.164, e.g. +14155550123)',
    );
  }
}

const ALLOWED_DECORATION = /^\+?[\d\s\-.()/]+$/;
// Types that can never take an SMS. FIXED_LINE is let through: numbering plans are coarse (the
// published seed number +91-8212345212 is typed FIXED_LINE) and many carriers deliver SMS to landlines.
const NO_SMS_TYPES = new Set([
  'TOLL_FREE',
  'PREMIUM_RATE',
  'SHARED_COST',
  'VOICEMAIL',
  'UAN',
  'PAGER',
]);

// One send parses its number up to three times (the bridge, the accept path, the price lookup),
// and libphonenumber's metadata walk is a large part of a request's CPU: remember recent answers.
const RECENT = new LRUCache<string, NormalisedPhone | InvalidPhoneError>({ max: 10_000 });

/**
 * Normalises "+91-8212345212", "+1 (415) 555-0123" or "+44.7700.900123" to E.164.
 * Refuses numbers without a country code, invalid for every region, or known not to be mobile.
 */
export function normalisePhone(input: string): NormalisedPhone {
  const trimmed = input.trim();
  let known = RECENT.get(trimmed);
  if (known === undefined) {
    try {
      known = Object.freeze(parsePhone(trimmed));
    } catch (err) {
      if (!(err instanceof InvalidPhoneError)) {
        throw err;
      }
      known = err;
    }
    RECENT.set(trimmed, known);
  }
  if (known instanceof InvalidPhoneError) {
    throw new InvalidPhoneError(known.problem);
  }
  return known;
}

function parsePhone(trimmed: string): NormalisedPhone {
  if (trimmed.length > 32 || !ALLOWED_DECORATION.test(trimmed)) {
    throw new InvalidPhoneError('unparseable');
  }
  const withPlus = trimmed.startsWith('+')
    ? trimmed
    : trimmed.startsWith('00')
      ? `+${trimmed.slice(2)}`
      : null;
  if (!withPlus) {
    throw new InvalidPhoneError('unparseable');
  }
  let parsed;
  try {
    parsed = parsePhoneNumberWithError(withPlus);
  } catch (err) {
    if (err instanceof ParseError) {
      throw new InvalidPhoneError('unparseable');
    }
    throw err;
  }
  if (!parsed.isValid()) {
    throw new InvalidPhoneError('invalid');
  }
  const type = parsed.getType();
  if (type && NO_SMS_TYPES.has(type)) {
    throw new InvalidPhoneError('not_mobile');
  }
  return {
    e164: parsed.number,
    country: parsed.country,
    callingCode: parsed.countryCallingCode,
    type,
  };
}

/** Each country calling code and the regions that share it (`44` → GB, GG, IM, JE). */
const CALLING_CODES: ReadonlyMap<string, readonly CountryCode[]> = (() => {
  const codes = new Map<string, CountryCode[]>();
  for (const region of getCountries()) {
    const code = getCountryCallingCode(region);
    codes.set(code, [...(codes.get(code) ?? []), region]);
  }
  return codes;
})();

/**
 * The calling code a number starts with, told from its leading digits alone (what a masked
 * number such as `+91******212` still shows), or undefined when they are too few to tell (`+23`
 * begins ten three-digit codes). Calling codes are prefix-free, so the first match is the one.
 */
export function callingCodeOf(leading: string): string | undefined {
  const digits = /^\+?(\d*)/.exec(leading)?.[1] ?? '';
  for (let length = 1; length <= Math.min(3, digits.length); length++) {
    if (CALLING_CODES.has(digits.slice(0, length))) {
      return digits.slice(0, length);
    }
  }
  return undefined;
}

/** The regions (ISO 3166 alpha-2) that share a calling code, alphabetically; none for an unknown code. */
export function regionsOfCallingCode(callingCode: string): readonly CountryCode[] {
  return CALLING_CODES.get(callingCode) ?? [];
}
