/** The channels a message can go out on. */
export type Channel = 'sms' | 'whatsapp' | 'telegram' | 'email';

/** A DKIM key the message is signed with (job content: sealed like the text, never logged). */
export interface DkimKey {
  readonly domain: string;
  readonly selector: string;
  /** PEM, RSA or Ed25519. */
  readonly privateKey: string;
}

/** What an email carries besides its text. */
export interface EmailPart {
  /** A mailbox: `no-reply@acme.example` or `Acme <no-reply@acme.example>`. */
  readonly from: string;
  readonly subject: string;
  readonly html?: string;
  readonly dkim?: DkimKey;
}

/** What a provider is asked to deliver. The text is final; `code` is there for channels that template it. */
export interface OutboundMessage {
  readonly messageId: string;
  /** E.164, or an email address on the email channel. */
  readonly to: string;
  /** The whole text (an email's plain-text part). */
  readonly text: string;
  /** The bare code when the caller sent one (WhatsApp templates and Telegram Gateway need it). */
  readonly code: string | undefined;
  readonly channel: Channel;
  /** Seconds the message is still worth delivering; providers that can should drop it after. */
  readonly ttlSeconds: number;
  readonly locale: string | undefined;
  readonly clientRef: string | undefined;
  /** Present on the email channel, and only there. */
  readonly email?: EmailPart;
}

/** An amount of money: what a message cost, or would. */
export interface Price {
  readonly amount: number;
  /** ISO 4217, e.g. USD. */
  readonly currency: string;
}

/** What a provider reports for an accepted message. */
export interface SendResult {
  readonly providerMessageId: string;
  /** What the provider says the message cost, when its answer says (it wins over the price table). */
  readonly price?: Price;
}

/** A messaging provider: an id and a way to send. Failures are thrown as the classes in provider-errors.ts. */
export interface SmsProvider {
  readonly id: string;
  readonly channels: ReadonlySet<Channel>;
  /** Takes every message on its channels and never fails over (the dev outbox): a chain never gets past it on those channels. */
  readonly alwaysAccepts?: boolean;
  send(message: OutboundMessage, signal: AbortSignal): Promise<SendResult>;
}
