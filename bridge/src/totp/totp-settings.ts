/** The HMACs RFC 6238 allows; authenticator apps all read SHA1, most read the other two. */
export const TOTP_ALGORITHMS = ['SHA1', 'SHA256', 'SHA512'] as const;
/** One of {@link TOTP_ALGORITHMS}. */
export type TotpAlgorithm = (typeof TOTP_ALGORITHMS)[number];

/** Code lengths an application may choose (RFC 4226 R4: at least 6). */
export const TOTP_DIGITS = [6, 8] as const;

/** An application's authenticator-app settings: what new devices are enrolled with. */
export interface TotpSettings {
  readonly algorithm: TotpAlgorithm;
  readonly digits: (typeof TOTP_DIGITS)[number];
}

/** What the time steps of one device are made of; kept with the device, so a later change of the application's settings moves no enrolled device. */
export interface TotpParams extends TotpSettings {
  /** Seconds per time step. */
  readonly period: number;
}

/** RFC 6238's and every authenticator app's defaults. */
export const DEFAULT_TOTP_SETTINGS: TotpSettings = { algorithm: 'SHA1', digits: 6 };

/** The time step (RFC 6238 §5.2 recommends 30 s, and some apps can do nothing else). */
export const TOTP_PERIOD_SECONDS = 30;
