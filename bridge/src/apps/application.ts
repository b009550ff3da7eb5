import type { DailyBudget } from '../budget/daily-budget.js';
import type { TotpSettings } from '../totp/totp-settings.js';

/** Device types of the CIAM MFA API; SMS, WHATSAPP, TELEGRAM and EMAIL send a code through the reference API. */
export const DEVICE_TYPES = ['SMS', 'EMAIL', 'TOTP', 'WHATSAPP', 'TELEGRAM'] as const;
/** One of {@link DEVICE_TYPES}. */
export type DeviceType = (typeof DEVICE_TYPES)[number];

/** A message template: `{code}`, `{minutes}` and `{brand}` are filled in at render time. */
export interface MessageTemplate {
  /** Template name as the CIAM `templateName` field selects it; "default" is used when none is given. */
  readonly name: string;
  /** BCP 47 language, e.g. "en", "pt-BR". */
  readonly locale: string;
  readonly deviceType: DeviceType;
  readonly text: string;
}

/** An email template: subject, plain text and optional HTML, each with `{code}`, `{minutes}` and `{brand}`. */
export interface EmailTemplate {
  /** Template name as the CIAM `templateName` field selects it; "default" is used when none is given. */
  readonly name: string;
  /** BCP 47 language, e.g. "en", "pt-BR". */
  readonly locale: string;
  readonly subject: string;
  readonly text: string;
  /** HTML body; placeholder values are HTML-escaped when it is rendered. */
  readonly html?: string | undefined;
}

/** The DKIM key of an application's email domain; the private key only ever sealed (AES-256-GCM). */
export interface StoredDkimKey {
  readonly domain: string;
  readonly selector: string;
  /** Base64 DER SubjectPublicKeyInfo, the `p=` of the DKIM TXT record. */
  readonly publicKey: string;
  /** The PKCS#8 PEM private key, sealed with a key derived from the server secret. */
  readonly sealedPrivateKey: string;
  readonly createdAt: string;
}

/** A test number or address: a send to it sends nothing, and its fixed code validates. */
export interface StoredTestDevice {
  /** An E.164 number, or an address with its domain lower-cased. */
  readonly device: string;
  /** The fixed code, sealed with a key derived from the server secret (never stored or shown in clear). */
  readonly sealedCode: string;
}

/** A registered application (an OAuth2 client of the CIAM MFA API) and its settings. */
export interface Application {
  readonly clientId: string;
  /** scrypt hash of the client secret; never the secret. Undefined for apps matched by an external issuer's `azp`. */
  readonly secretHash: string | undefined;
  readonly name: string;
  /** Shown in the SMS ("{brand}: your code is ..."). */
  readonly brand: string;
  readonly templates: readonly MessageTemplate[];
  /** 4-10 digits. */
  readonly codeLength: number;
  /** 60-600 seconds. */
  readonly otpTtlSeconds: number;
  readonly maxAttempts: number;
  readonly resendCooldownSeconds: number;
  readonly maxSendsPerAuth: number;
  readonly deviceTypes: readonly DeviceType[];
  /** How new authenticator apps (TOTP) are enrolled; unset means SHA1 and 6 digits. */
  readonly totp?: TotpSettings | undefined;
  /** ISO 3166-1 alpha-2 codes; empty means every country (not recommended: SMS pumping). */
  readonly allowedCountries: readonly string[];
  readonly senderId: string | undefined;
  /** Domain for the WebOTP line (`@example.com #123456`); undefined leaves it out. */
  readonly webOtpDomain: string | undefined;
  /** Where the hosted code-entry page may send the user back to (exact origins or URL prefixes). */
  readonly returnUrls: readonly string[];
  /** Scopes the client may be granted: mfa:send, mfa:verify, mfa:admin. */
  readonly scopes: readonly string[];
  /** Sender of EMAIL codes, `address` or `Name <address>`, at the domain of {@link emailDkim}. */
  readonly emailFrom?: string | undefined;
  /** Email templates per name and locale; the built-in ones (en, pt-BR, de, es, fr) when none fits. */
  readonly emailTemplates?: readonly EmailTemplate[] | undefined;
  /** The DKIM key every email is signed with (`npm run apps -- email-domain`). */
  readonly emailDkim?: StoredDkimKey | undefined;
  /** Whether {@link testDevices} may be set and are honoured (off unless turned on). */
  readonly allowTestDevices?: boolean | undefined;
  /** Up to 10 numbers or addresses with a fixed code, for app-store reviews and staging. */
  readonly testDevices?: readonly StoredTestDevice[] | undefined;
  /** What its sends may cost per UTC day; past it new sends get 429 BUDGET_EXCEEDED. Unset: no cap. */
  readonly dailyBudget?: DailyBudget | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
}
