import { Vonage } from '@vonage/server-sdk';
import {
  ProviderError,
  TransientProviderError,
  type ClassifiedProviderError,
} from '../provider-errors.js';
import {
  classifyHttpFailure,
  classifySmsStatus,
  classifyTransportFailure,
} from './vonage.errors.js';

/** What the SDK client needs. */
export interface VonageClientOptions {
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly restHost: string;
  readonly apiHost: string;
  readonly timeoutMs: number;
}

/** The SDK's own parameter types, taken from its methods so we import no transitive package. */
export type SmsSendParams = Parameters<Vonage['sms']['send']>[0];
/** Parameters of a Messages API send. */
export type MessagesSendParams = Parameters<Vonage['messages']['send']>[0];

/** The SDK with basic auth (key:secret) and host overrides; its timeout bounds requests we stop waiting for. */
export function createVonageClient(options: VonageClientOptions): Vonage {
  return new Vonage(
    { apiKey: options.apiKey, apiSecret: options.apiSecret },
    {
      restHost: trimSlash(options.restHost),
      apiHost: trimSlash(options.apiHost),
      timeout: options.timeoutMs,
    },
  );
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * Waits for an SDK call, but no longer than `signal` allows: the SDK takes one timeout per client and
 * no per-call signal, so the worker's deadline (which may be shorter, near a code's expiry) is applied here.
 */
export function withSignal<T>(call: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new TransientProviderError('vonage', 'request timed out'));
    if (signal.aborted) {
      return onAbort();
    }
    signal.addEventListener('abort', onAbort, { once: true });
    call.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

interface SmsPart {
  readonly status?: string;
  readonly errorText?: string;
}

interface HttpAnswer {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/**
 * Classifies whatever the SDK threw. Its errors hold the request (with the Authorization header), so
 * they are never passed on or logged: only the status and the provider's own code and title are kept.
 */
export async function classifySdkError(err: unknown): Promise<ClassifiedProviderError> {
  if (err instanceof ProviderError) {
    return err as ClassifiedProviderError;
  }
  const response = (err as { response?: unknown } | null)?.response;
  const parts = smsParts(response);
  if (parts) {
    const failed = parts.find((p) => p.status !== '0') ?? {};
    return classifySmsStatus(failed.status ?? 'unknown', failed.errorText);
  }
  if (isHttpAnswer(response)) {
    return classifyHttpFailure(
      response.status,
      response.headers.get('retry-after'),
      await problemOf(response),
    );
  }
  return classifyTransportFailure(err);
}

/** The parts of an SMS API answer (MessageSendAllFailure / MessageSendPartialFailure keep it camel-cased). */
function smsParts(response: unknown): SmsPart[] | undefined {
  const messages = (response as { messages?: unknown } | null | undefined)?.messages;
  return Array.isArray(messages) ? (messages as SmsPart[]) : undefined;
}

function isHttpAnswer(value: unknown): value is HttpAnswer {
  const v = value as Partial<HttpAnswer> | null | undefined;
  return (
    typeof v?.status === 'number' &&
    typeof v.headers?.get === 'function' &&
    typeof v.text === 'function'
  );
}

/** The RFC 7807 title, and the Messages error code from its `type` (".../messages#1150"), when present. */
async function problemOf(response: HttpAnswer): Promise<{ title?: string; code?: string }> {
  try {
    const body = JSON.parse(await response.text()) as { title?: unknown; type?: unknown };
    const code = typeof body.type === 'string' ? /#(\d+)$/.exec(body.type)?.[1] : undefined;
    return {
      ...(typeof body.title === 'string' ? { title: body.title } : {}),
      ...(code ? { code } : {}),
    };
  } catch {
    return {};
  }
}
