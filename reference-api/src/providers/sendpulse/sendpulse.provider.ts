// SendPulse SMS through a small fetch client: the official SDK hard-codes api.sendpulse.com and
// caches its token on disk, which suits neither regional edges, tests, nor a fleet of workers.
import type { RedisClient } from '@sms-mfa/common/redis-client';
import { PermanentProviderError, TransientProviderError } from '../provider-errors.js';
import { providerFetch, type ProviderResponse } from '../provider-http.js';
import type { Channel, OutboundMessage, SendResult, SmsProvider } from '../sms-provider.js';
import { classifySendPulseError, SENDPULSE, sendPulseErrorCode } from './sendpulse.errors.js';
import { JSON_HEADERS, joinUrl, SendPulseTokenCache } from './sendpulse.token-cache.js';

/** Everything the SendPulse sender needs. */
export interface SendPulseOptions {
  readonly baseUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** An approved sender ID (GET /sms/senders, status 1). */
  readonly sender: string;
  readonly redis: RedisClient;
  /** Where workers share the access token (`sendPulseTokenKey`). */
  readonly tokenKey: string;
  readonly timeoutMs: number;
}

/** SendPulse sends SMS only. */
export const SENDPULSE_CHANNELS: ReadonlySet<Channel> = new Set<Channel>(['sms']);

/** The body of `POST /sms/send` for one message: phones are international digits without '+'. */
export function smsSendBody(sender: string, message: OutboundMessage): Record<string, unknown> {
  return { sender, phones: [message.to.replace(/^\+/, '')], body: message.text };
}

/** A SendPulse SMS sender; a 401 renews the token once and retries the send once. */
export function createSendPulseProvider(options: SendPulseOptions): SmsProvider {
  const tokens = new SendPulseTokenCache({ ...options, key: options.tokenKey });
  const post = (token: string, body: string, signal: AbortSignal) =>
    providerFetch(
      SENDPULSE,
      joinUrl(options.baseUrl, 'sms/send'),
      { method: 'POST', headers: { ...JSON_HEADERS, authorization: `Bearer ${token}` }, body },
      { timeoutMs: options.timeoutMs, signal },
    );
  return {
    id: SENDPULSE,
    channels: SENDPULSE_CHANNELS,
    async send(message, signal) {
      const body = JSON.stringify(smsSendBody(options.sender, message));
      const token = await tokens.current();
      const res = await post(token, body, signal);
      if (!isExpiredToken(res)) {
        return readSendResult(res);
      }
      const retried = await post(await tokens.refresh(token), body, signal);
      // A freshly issued token refused too: most likely revoked under us; the next attempt renews again.
      if (retried.status === 401) {
        throw new TransientProviderError(SENDPULSE, 'send refused a freshly issued token', '401');
      }
      return readSendResult(retried);
    },
  };
}

// invalid_client means the credentials are wrong: renewing the token cannot help.
function isExpiredToken(res: ProviderResponse): boolean {
  return res.status === 401 && sendPulseErrorCode(res.body) !== 'invalid_client';
}

function readSendResult(res: ProviderResponse): SendResult {
  if (res.status < 200 || res.status >= 300) {
    throw classifySendPulseError(res);
  }
  const answer = (res.body ?? {}) as { result?: unknown; campaign_id?: unknown };
  const id = answer.campaign_id;
  if (answer.result === true && (typeof id === 'number' || (typeof id === 'string' && id))) {
    return { providerMessageId: String(id) };
  }
  if (sendPulseErrorCode(res.body)) {
    throw classifySendPulseError(res);
  }
  // Not retried: the message may have gone out, and a second send would charge and confuse twice.
  throw new PermanentProviderError(
    SENDPULSE,
    `send answered HTTP ${res.status} without a campaign id`,
  );
}
