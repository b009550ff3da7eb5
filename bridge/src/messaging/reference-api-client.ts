import { httpCall, HttpCallError, type HttpAnswer } from '@sms-mfa/common/http-client';
import type { Logger } from '@sms-mfa/common/logger';
import { maskRecipient } from '@sms-mfa/common/mask';
import { currentRequestId } from '@sms-mfa/common/request-context';
import type { BridgeConfig } from '../config.js';
import { CiamError } from '../errors.js';
import { ReferenceApiTokenCache, TokenUnavailableError } from './reference-api-token.cache.js';

/** The channels the reference API sends on. */
export type Channel = 'sms' | 'whatsapp' | 'telegram' | 'email';

/** The `email` part of `POST /v1/messages`: sender, subject, HTML and the DKIM key to sign with. */
export interface EmailPart {
  readonly from: string;
  readonly subject: string;
  readonly html?: string;
  readonly dkim: {
    readonly domain: string;
    readonly selector: string;
    readonly privateKey: string;
  };
}

/**
 * One code to deliver. `text` is the whole rendered SMS or the email's plain text; WhatsApp and
 * Telegram templates take the bare `code`.
 */
export interface OutboundCode {
  /** An E.164 number, or an address on the email channel. */
  readonly to: string;
  readonly channel: Channel;
  readonly text: string;
  readonly code: string;
  /** Email only: the rest of the message. */
  readonly email?: EmailPart | undefined;
  /** The caller's reference the reference API keeps with the message (the authId). */
  readonly clientRef?: string | undefined;
  /** The code's remaining lifetime: the reference API drops the message rather than deliver it later. */
  readonly ttlSeconds: number;
  readonly locale: string | undefined;
  /** Same key, same message: a retried request is not sent twice. */
  readonly idempotencyKey: string;
  /** The application's client id: the reference API counts what the send costs against it. */
  readonly account?: string | undefined;
}

/** An amount of money, as the reference API prices a message. */
export interface Price {
  readonly amount: number;
  readonly currency: string;
}

/** A queued message, and what the reference API's price table says it costs (when it prices it). */
export interface SentMessage {
  readonly messageId: string;
  readonly estimatedPrice?: Price | undefined;
}

/** Hands codes to whatever delivers them. */
export interface MessageSender {
  /** Resolves once the message is queued; throws DELIVERY_UNAVAILABLE (502) if it could not be. */
  send(message: OutboundCode): Promise<SentMessage>;
  /** Closes what the sender opened (the direct queue's connections); the HTTP client has nothing to close. */
  close?(): Promise<void>;
}

/** The reference API's settings as the bridge's HTTP client uses them. */
export type ReferenceApiSettings = Omit<BridgeConfig['referenceApi'], 'directQueue'>;

function acceptedBody(text: string): { id?: unknown; estimatedPrice?: unknown } {
  try {
    return JSON.parse(text) as { id?: unknown; estimatedPrice?: unknown };
  } catch {
    return {};
  }
}

/** `estimatedPrice` of a 202 when it is a well-formed price; a replay (200) was counted the first time. */
export function priceOf(status: number, value: unknown): Price | undefined {
  const price = value as { amount?: unknown; currency?: unknown } | undefined;
  if (
    status !== 202 ||
    typeof price?.amount !== 'number' ||
    !Number.isFinite(price.amount) ||
    price.amount < 0 ||
    typeof price.currency !== 'string'
  ) {
    return undefined;
  }
  return { amount: price.amount, currency: price.currency };
}

// The reference API accepts 30-3600 s; a code with under 30 s left still gets a 30 s window.
const clampTtl = (seconds: number) => Math.min(3600, Math.max(30, Math.ceil(seconds)));

/**
 * Sends through the reference messaging API: `POST /api/sms` ({mobile, totp}) for SMS, `POST
 * /v1/messages` otherwise. Authenticates with REFERENCE_API_KEY, or with a client-credentials
 * token when the reference API requires OIDC tokens (renewed once when it answers 401).
 */
export class ReferenceApiClient implements MessageSender {
  private readonly tokens: ReferenceApiTokenCache | undefined;

  constructor(
    private readonly api: ReferenceApiSettings,
    private readonly logger: Logger,
  ) {
    this.tokens = api.clientCredentials
      ? new ReferenceApiTokenCache(api.clientCredentials, api.timeoutMs)
      : undefined;
  }

  async send(message: OutboundCode): Promise<SentMessage> {
    const [path, body] = requestOf(message);
    const answer = await this.post(path, JSON.stringify(body), message);
    const accepted = acceptedBody(answer.text);
    const estimatedPrice = priceOf(answer.status, accepted.estimatedPrice);
    return {
      messageId: typeof accepted.id === 'string' ? accepted.id : '',
      ...(estimatedPrice ? { estimatedPrice } : {}),
    };
  }

  private async post(path: string, body: string, message: OutboundCode): Promise<HttpAnswer> {
    const tokens = this.tokens;
    if (!tokens) {
      return this.accepted(await this.call(path, body, message, this.api.apiKey), message);
    }
    const token = await this.token(message, () => tokens.current());
    const answer = await this.call(path, body, message, token);
    if (answer.status !== 401) {
      return this.accepted(answer, message);
    }
    // A token the reference API stopped honouring (the issuer's keys rotated, a revocation): one new token, one retry.
    const renewed = await this.token(message, () => tokens.refresh(token));
    return this.accepted(await this.call(path, body, message, renewed), message);
  }

  private accepted(answer: HttpAnswer, message: OutboundCode): HttpAnswer {
    if (answer.status < 200 || answer.status > 299) {
      throw this.unavailable(message, `HTTP ${answer.status}`);
    }
    return answer;
  }

  private async call(
    path: string,
    body: string,
    message: OutboundCode,
    credential: string | undefined,
  ): Promise<HttpAnswer> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'idempotency-key': message.idempotencyKey,
    };
    if (credential) {
      headers['authorization'] = `Bearer ${credential}`;
    }
    // The reference API logs under the same id, so one sign-in can be followed across both services.
    const requestId = currentRequestId();
    if (requestId) {
      headers['x-request-id'] = requestId;
    }
    try {
      return await httpCall(`${this.api.url}${path}`, {
        method: 'POST',
        headers,
        body,
        timeoutMs: this.api.timeoutMs,
      });
    } catch (err) {
      if (!(err instanceof HttpCallError)) {
        throw err;
      }
      throw this.unavailable(message, err.reason === 'timeout' ? 'timeout' : 'unreachable');
    }
  }

  /** The token `get` gives; a token that cannot be had is one log line and DELIVERY_UNAVAILABLE. */
  private async token(message: OutboundCode, get: () => Promise<string>): Promise<string> {
    try {
      return await get();
    } catch (err) {
      if (!(err instanceof TokenUnavailableError)) {
        throw err;
      }
      this.logger.warn('no access token for the reference API: the message was not sent', {
        to: maskRecipient(message.to),
        channel: message.channel,
        clientId: this.api.clientCredentials?.clientId,
        reason: err.reason,
      });
      throw deliveryUnavailable();
    }
  }

  private unavailable(message: OutboundCode, reason: string): CiamError {
    this.logger.warn('the reference API did not accept a message', {
      to: maskRecipient(message.to),
      channel: message.channel,
      reason,
    });
    return deliveryUnavailable();
  }
}

/** The path and body for a message: SMS as `{mobile, totp}`, email with its text and `email` part, the rest by code. */
export function requestOf(message: OutboundCode): [string, Record<string, unknown>] {
  const ttlSeconds = clampTtl(message.ttlSeconds);
  const locale = message.locale ? { locale: message.locale } : {};
  const clientRef = message.clientRef ? { clientRef: message.clientRef } : {};
  const account = message.account ? { account: message.account } : {};
  if (message.channel === 'sms') {
    const { to: mobile, text: totp } = message;
    return ['/api/sms', { mobile, totp, ttlSeconds, ...locale, ...account }];
  }
  if (message.channel === 'email') {
    const { to, text, email } = message;
    return [
      '/v1/messages',
      { channel: 'email', to, text, email, ttlSeconds, ...clientRef, ...locale, ...account },
    ];
  }
  const { to, code, channel } = message;
  return ['/v1/messages', { to, code, channel, ttlSeconds, ...locale, ...account }];
}

/** 502 DELIVERY_UNAVAILABLE: the message was not queued, nothing changed. */
export function deliveryUnavailable(): CiamError {
  return new CiamError(
    'DELIVERY_UNAVAILABLE',
    'the message could not be sent; nothing was changed, try again later',
  );
}
