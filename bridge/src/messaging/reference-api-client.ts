import { httpCall, HttpCallError, type HttpAnswer } from '@sms-mfa/common/http-client';
import type { Logger } from '@sms-mfa/common/logger';
import { maskPhone } from '@sms-mfa/common/mask';
import { currentRequestId } from '@sms-mfa/common/request-context';
import type { BridgeConfig } from '../config.js';
import { CiamError } from '../errors.js';
import { ReferenceApiTokenCache, TokenUnavailableError } from './reference-api-token.cache.js';

/** The channels the reference API sends on. */
export type Channel = 'sms' | 'whatsapp' | 'telegram';

/** One code to deliver. `text` is the whole rendered SMS; WhatsApp and Telegram templates take the bare `code`. */
export interface OutboundCode {
  readonly to: string;
  readonly channel: Channel;
  readonly text: string;
  readonly code: string;
  /** The code's remaining lifetime: the reference API drops the message rather than deliver it later. */
  readonly ttlSeconds: number;
  readonly locale: string | undefined;
  /** Same key, same message: a retried request is not sent twice. */
  readonly idempotencyKey: string;
}

/** Hands codes to whatever delivers them. */
export interface MessageSender {
  /** Resolves once the message is queued; throws DELIVERY_UNAVAILABLE (502) if it could not be. */
  send(message: OutboundCode): Promise<{ readonly messageId: string }>;
}

function acceptedBody(text: string): { id?: unknown } {
  try {
    return JSON.parse(text) as { id?: unknown };
  } catch {
    return {};
  }
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
    private readonly api: BridgeConfig['referenceApi'],
    private readonly logger: Logger,
  ) {
    this.tokens = api.clientCredentials
      ? new ReferenceApiTokenCache(api.clientCredentials, api.timeoutMs)
      : undefined;
  }

  async send(message: OutboundCode): Promise<{ messageId: string }> {
    const [path, body] =
      message.channel === 'sms'
        ? [
            '/api/sms',
            {
              mobile: message.to,
              totp: message.text,
              ttlSeconds: clampTtl(message.ttlSeconds),
              ...this.localeOf(message),
            },
          ]
        : [
            '/v1/messages',
            {
              to: message.to,
              code: message.code,
              channel: message.channel,
              ttlSeconds: clampTtl(message.ttlSeconds),
              ...this.localeOf(message),
            },
          ];
    const answer = await this.post(path, JSON.stringify(body), message);
    const accepted = acceptedBody(answer.text);
    return { messageId: typeof accepted.id === 'string' ? accepted.id : '' };
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
        to: maskPhone(message.to),
        channel: message.channel,
        clientId: this.api.clientCredentials?.clientId,
        reason: err.reason,
      });
      throw deliveryUnavailable();
    }
  }

  private localeOf(message: OutboundCode): { locale?: string } {
    return message.locale ? { locale: message.locale } : {};
  }

  private unavailable(message: OutboundCode, reason: string): CiamError {
    this.logger.warn('the reference API did not accept a message', {
      to: maskPhone(message.to),
      channel: message.channel,
      reason,
    });
    return deliveryUnavailable();
  }
}

function deliveryUnavailable(): CiamError {
  return new CiamError(
    'DELIVERY_UNAVAILABLE',
    'the message could not be sent; nothing was changed, try again later',
  );
}
