import { PermanentProviderError, TransientProviderError } from '../provider-errors.js';
import { providerFetch } from '../provider-http.js';
import type { Channel, OutboundMessage, SendResult, SmsProvider } from '../sms-provider.js';
import { classifyTwilioFailure } from './twilio.errors.js';
import type { TwilioSettings } from './twilio.config.js';

/** What the adapter needs besides its settings. */
export interface TwilioProviderOptions {
  readonly timeoutMs: number;
  /** Where Twilio posts delivery receipts; undefined when they cannot be received or verified. */
  readonly statusCallback: string | undefined;
}

/** Twilio's allowed ValidityPeriod range in seconds (error 21624 outside it). */
export const TWILIO_VALIDITY_SECONDS = { min: 1, max: 36_000 } as const;

/** Clamps a message's remaining lifetime into Twilio's ValidityPeriod range, so a stale code is dropped by Twilio too. */
export function validityPeriod(ttlSeconds: number): number {
  const whole = Math.floor(ttlSeconds);
  return Math.min(
    TWILIO_VALIDITY_SECONDS.max,
    Math.max(TWILIO_VALIDITY_SECONDS.min, Number.isFinite(whole) ? whole : 0),
  );
}

/** True when both the WhatsApp sender and the authentication template are configured. */
export function twilioWhatsappReady(settings: TwilioSettings): boolean {
  return Boolean(settings.whatsappFrom && settings.whatsappContentSid);
}

function whatsappAddress(address: string): string {
  return address.startsWith('whatsapp:') ? address : `whatsapp:${address}`;
}

function smsFields(settings: TwilioSettings, message: OutboundMessage): Record<string, string> {
  return {
    To: message.to,
    ...(settings.from ? { From: settings.from } : {}),
    ...(settings.messagingServiceSid ? { MessagingServiceSid: settings.messagingServiceSid } : {}),
    Body: message.text,
  };
}

// Meta's authentication template carries only the code, so a free text cannot be sent this way.
function whatsappFields(
  settings: TwilioSettings,
  message: OutboundMessage,
): Record<string, string> {
  if (!message.code) {
    throw new PermanentProviderError(
      'twilio',
      'WhatsApp authentication templates need the bare code, not a full text',
    );
  }
  return {
    To: whatsappAddress(message.to),
    From: whatsappAddress(settings.whatsappFrom ?? ''),
    ContentSid: settings.whatsappContentSid ?? '',
    ContentVariables: JSON.stringify({ '1': message.code }),
  };
}

/** The form Twilio's Create Message call takes for `message` (To, From/MessagingServiceSid, Body or ContentSid, ...). */
export function twilioMessageForm(
  settings: TwilioSettings,
  message: OutboundMessage,
  statusCallback: string | undefined,
): URLSearchParams {
  const fields =
    message.channel === 'whatsapp'
      ? whatsappFields(settings, message)
      : smsFields(settings, message);
  const form = new URLSearchParams(fields);
  form.set('ValidityPeriod', String(validityPeriod(message.ttlSeconds)));
  if (statusCallback) {
    form.set('StatusCallback', statusCallback);
  }
  return form;
}

/** HTTP Basic credentials: the API key when one is configured, else the account SID and auth token. */
export function twilioAuthorization(settings: TwilioSettings): string {
  const [user, password] =
    settings.apiKeySid && settings.apiKeySecret
      ? [settings.apiKeySid, settings.apiKeySecret]
      : [settings.accountSid, settings.authToken];
  if (!user || !password) {
    throw new TypeError(
      'twilio: set TWILIO_AUTH_TOKEN, or TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET',
    );
  }
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

function messagesUrl(settings: TwilioSettings): string {
  if (!settings.accountSid) {
    throw new TypeError('twilio: TWILIO_ACCOUNT_SID is required');
  }
  // With an API key the path still names the AC… account (providers.md §1).
  return `${settings.baseUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`;
}

function sidOf(body: unknown): string {
  const sid = body && typeof body === 'object' ? (body as { sid?: unknown }).sid : undefined;
  // Twilio may have queued the message; retrying risks a duplicate, but losing the code is worse.
  if (typeof sid !== 'string' || !sid) {
    throw new TransientProviderError('twilio', 'success answer without a message sid');
  }
  return sid;
}

/**
 * `price` and `price_unit` of the created message, when Twilio already knows them. It usually does
 * not (both are null until the message is sent on, providers.md §1), and the price table answers.
 * Twilio writes what was charged as a negative amount ("-0.00790").
 */
export function priceOf(body: unknown): SendResult['price'] {
  const { price, price_unit: unit } = (body ?? {}) as { price?: unknown; price_unit?: unknown };
  const amount = typeof price === 'string' || typeof price === 'number' ? Number(price) : NaN;
  if (!Number.isFinite(amount) || typeof unit !== 'string' || !/^[A-Z]{3}$/i.test(unit)) {
    return undefined;
  }
  return { amount: Math.abs(amount), currency: unit.toUpperCase() };
}

function channelsOf(settings: TwilioSettings): ReadonlySet<Channel> {
  return new Set<Channel>(twilioWhatsappReady(settings) ? ['sms', 'whatsapp'] : ['sms']);
}

/** The Twilio Programmable Messaging adapter (SMS, and WhatsApp through an authentication template). */
export function createTwilioProvider(
  settings: TwilioSettings,
  options: TwilioProviderOptions,
): SmsProvider {
  const url = messagesUrl(settings);
  // Frozen: the HTTP client reads fixed headers once, not per send.
  const headers = Object.freeze({
    authorization: twilioAuthorization(settings),
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  });
  const channels = channelsOf(settings);
  return {
    id: 'twilio',
    channels,
    async send(message: OutboundMessage, signal: AbortSignal): Promise<SendResult> {
      if (!channels.has(message.channel)) {
        throw new PermanentProviderError('twilio', `channel ${message.channel} is not configured`);
      }
      const body = twilioMessageForm(settings, message, options.statusCallback).toString();
      const res = await providerFetch(
        'twilio',
        url,
        { method: 'POST', headers, body },
        { timeoutMs: options.timeoutMs, signal },
      );
      if (res.status < 200 || res.status > 299) {
        throw classifyTwilioFailure(res);
      }
      const price = priceOf(res.body);
      return { providerMessageId: sidOf(res.body), ...(price ? { price } : {}) };
    },
  };
}
