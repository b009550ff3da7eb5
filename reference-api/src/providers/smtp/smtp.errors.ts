// SMTP failures as nodemailer reports them (`responseCode`, `code`, `response`) onto our three
// classes. RFC 5321: a 5yz reply is a permanent refusal, a 4yz reply a transient one; 503 (bad
// sequence of commands) says the session was in the wrong state, so a new connection may succeed.
import { withoutAddresses } from '../../messages/mailbox.js';
import {
  PermanentProviderError,
  ProviderError,
  TransientProviderError,
  type ClassifiedProviderError,
} from '../provider-errors.js';

/** The provider id, as errors name it. */
export const SMTP = 'smtp';

/** What nodemailer puts on the errors it throws. */
interface SmtpFailure {
  readonly message?: string;
  readonly code?: string;
  readonly responseCode?: number;
  readonly response?: string;
  readonly cause?: unknown;
}

// Errors nodemailer raises before talking to the relay, which a retry would raise again.
const PERMANENT_CODES = new Set(['EAUTH', 'EENVELOPE', 'EMESSAGE', 'EREQUIRETLS']);

/** True for the replies that refuse the message for good. */
export function isPermanentReply(responseCode: number): boolean {
  return responseCode >= 500 && responseCode < 600 && responseCode !== 503;
}

/** The relay's reply (or nodemailer's text), addresses removed, short enough to record. */
function reasonOf(failure: SmtpFailure): string {
  const text = failure.response ?? failure.message ?? 'unknown error';
  return withoutAddresses(text).slice(0, 200);
}

/** Classifies what sending through nodemailer threw. */
export function classifySmtpFailure(err: unknown): ClassifiedProviderError {
  if (err instanceof ProviderError) {
    return err as ClassifiedProviderError;
  }
  const failure = (err ?? {}) as SmtpFailure;
  // An abort carries our own reason (the timeout) as its cause.
  if (failure.code === 'EABORT' && failure.cause instanceof ProviderError) {
    return failure.cause as ClassifiedProviderError;
  }
  const reason = reasonOf(failure);
  if (typeof failure.responseCode === 'number') {
    const code = String(failure.responseCode);
    return isPermanentReply(failure.responseCode)
      ? new PermanentProviderError(SMTP, `relay refused the message: ${reason}`, code)
      : new TransientProviderError(SMTP, `relay deferred the message: ${reason}`, code);
  }
  if (failure.code && PERMANENT_CODES.has(failure.code)) {
    return new PermanentProviderError(SMTP, reason, failure.code);
  }
  return new TransientProviderError(SMTP, `relay unreachable: ${reason}`, failure.code);
}
