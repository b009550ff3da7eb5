import type { Vonage } from '@vonage/server-sdk';
import { PermanentProviderError, TransientProviderError } from '../provider-errors.js';
import type { Channel, OutboundMessage, SendResult, SmsProvider } from '../sms-provider.js';
import {
  classifySdkError,
  createVonageClient,
  withSignal,
  type MessagesSendParams,
  type SmsSendParams,
  type VonageClientOptions,
} from './vonage.client.js';
import { smsType } from './vonage.encoding.js';

/** Everything the Vonage adapter needs, resolved from config. */
export interface VonageOptions extends VonageClientOptions {
  /** Sender ID or number for SMS. */
  readonly from: string;
  /** Where delivery receipts should go (our /webhooks/vonage), when this API is reachable. */
  readonly callbackUrl: string | undefined;
  /** WhatsApp sender number and approved authentication template; WhatsApp is off without both. */
  readonly whatsapp: { readonly from: string; readonly template: string } | undefined;
  /** The currency of `message-price` (the account's; the answer does not say): EUR unless set. */
  readonly priceCurrency?: string;
}

// The SMS API accepts ttl in ms within these bounds (spec NewMessage.ttl); anything else is status 3.
const SMS_TTL_MIN_MS = 20_000;
const SMS_TTL_MAX_MS = 604_800_000;

/** The Vonage adapter: SMS through the SMS API, WhatsApp through the Messages API, both via @vonage/server-sdk. */
export function createVonageProvider(options: VonageOptions): SmsProvider {
  const client = createVonageClient(options);
  const channels = new Set<Channel>(options.whatsapp ? ['sms', 'whatsapp'] : ['sms']);
  return {
    id: 'vonage',
    channels,
    async send(message, signal) {
      if (!channels.has(message.channel)) {
        throw new PermanentProviderError('vonage', `channel ${message.channel} is not configured`);
      }
      try {
        const call =
          message.channel === 'whatsapp'
            ? sendWhatsApp(client, options, message)
            : sendSms(client, options, message);
        return await withSignal(call, signal);
      } catch (err) {
        throw await classifySdkError(err);
      }
    },
  };
}

async function sendSms(
  client: Vonage,
  options: VonageOptions,
  message: OutboundMessage,
): Promise<SendResult> {
  const answer: { messages?: { messageId?: string; messagePrice?: string }[] } =
    await client.sms.send(smsParams(options, message));
  const id = answer.messages?.[0]?.messageId;
  // A 200 with no part (or not JSON) is not documented; retrying beats recording a send we cannot trace.
  if (!id) {
    throw new TransientProviderError('vonage', 'SMS API answered without a message-id');
  }
  const price = partsPrice(answer.messages ?? [], options.priceCurrency ?? 'EUR');
  return { providerMessageId: id, ...(price ? { price } : {}) };
}

/** The sum of every part's `message-price` (a long text is several parts), if each part has one. */
function partsPrice(
  parts: readonly { messagePrice?: string }[],
  currency: string,
): SendResult['price'] {
  const amounts = parts.map((part) => Number(part.messagePrice ?? Number.NaN));
  if (amounts.length === 0 || !amounts.every((n) => Number.isFinite(n) && n >= 0)) {
    return undefined;
  }
  return { amount: amounts.reduce((sum, n) => sum + n, 0), currency };
}

/** The SMS API request for `message` (the SDK kebab-cases the keys: client-ref, ...). */
export function smsParams(
  options: Pick<VonageOptions, 'from' | 'callbackUrl'>,
  message: OutboundMessage,
): SmsSendParams {
  return {
    from: options.from,
    to: digitsOnly(message.to),
    text: message.text,
    type: smsType(message.text),
    ttl: smsTtlMs(message.ttlSeconds),
    clientRef: message.messageId,
    ...(options.callbackUrl ? { callback: options.callbackUrl } : {}),
  } as SmsSendParams;
}

/**
 * The code's remaining lifetime in ms, clamped to what the SMS API accepts: below 20 s Vonage would
 * refuse the whole message, and a code that arrives a few seconds late is still better than none.
 */
export function smsTtlMs(ttlSeconds: number): number {
  return Math.min(SMS_TTL_MAX_MS, Math.max(SMS_TTL_MIN_MS, Math.round(ttlSeconds * 1000)));
}

async function sendWhatsApp(
  client: Vonage,
  options: VonageOptions,
  message: OutboundMessage,
): Promise<SendResult> {
  const answer = await client.messages.send(whatsAppParams(options, message));
  if (!answer.messageUUID) {
    throw new TransientProviderError('vonage', 'Messages API answered without a message_uuid');
  }
  return { providerMessageId: answer.messageUUID };
}

/**
 * A WhatsApp authentication template. It has a copy-code button, so Meta counts it as interactive and
 * Vonage takes it only as `message_type: custom` carrying the Cloud API template object (providers.md §5).
 */
export function whatsAppParams(
  options: Pick<VonageOptions, 'whatsapp' | 'callbackUrl'>,
  message: OutboundMessage,
): MessagesSendParams {
  if (!options.whatsapp) {
    throw new TypeError('WhatsApp is not configured for Vonage');
  }
  if (!message.code) {
    throw new PermanentProviderError(
      'vonage',
      'a WhatsApp authentication template needs the bare code, not a full text',
    );
  }
  return {
    channel: 'whatsapp',
    messageType: 'custom',
    to: digitsOnly(message.to),
    from: digitsOnly(options.whatsapp.from),
    clientRef: message.messageId,
    ...(options.callbackUrl ? { webhookUrl: options.callbackUrl } : {}),
    custom: authTemplate(options.whatsapp.template, message.locale, message.code),
  } as MessagesSendParams;
}

/** The Cloud API template object: the code fills the body and the copy-code button (Vonage's snippet). */
function authTemplate(
  name: string,
  locale: string | undefined,
  code: string,
): Record<string, unknown> {
  const parameters = [{ type: 'text', text: code }];
  return {
    type: 'template',
    template: {
      name,
      language: { policy: 'deterministic', code: whatsAppLanguage(locale) },
      components: [
        { type: 'body', parameters },
        { type: 'button', sub_type: 'url', index: '0', parameters },
      ],
    },
  };
}

/** WhatsApp names languages `en`, `pt_BR`: our BCP 47 `pt-BR` with an underscore. */
export function whatsAppLanguage(locale: string | undefined): string {
  if (!locale) {
    return 'en';
  }
  const [language = 'en', region] = locale.split(/[-_]/);
  return region ? `${language.toLowerCase()}_${region.toUpperCase()}` : language.toLowerCase();
}

/** Vonage wants E.164 without the `+`. */
function digitsOnly(number: string): string {
  return number.replace(/^\+/, '');
}
