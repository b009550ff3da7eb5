import type { AuthRecord } from './auth-record.js';

/** How failures per user turn into waits (NIST SP 800-63B-4 3.2.2: growing waits, never a permanent lock). */
export interface UserWaitPolicy {
  /** Consecutive failures (across authentications) before the first wait. */
  readonly failuresBeforeWait: number;
  /** The first wait; each further failure doubles it. */
  readonly firstWaitMs: number;
  readonly longestWaitMs: number;
  /** How long a user's failure count is remembered after the last failure. */
  readonly retentionMs: number;
}

/** One validation attempt, after the code was compared in Node. */
export interface VerifyAttempt {
  readonly authId: string;
  readonly clientId: string;
  readonly userKey: string;
  /** Whether the candidate's HMAC equalled the stored one (constant-time compare). */
  readonly matched: boolean;
  readonly candidateHash: string;
  readonly nowMs: number;
  readonly policy: UserWaitPolicy;
  /** TOTP: the user's devices whose code at `step` is the candidate; one of them takes its step, once. */
  readonly devices?: readonly DeviceStep[] | undefined;
}

/** A device whose code matched, at the time step it matched (the highest, when several did). */
export interface DeviceStep {
  readonly deviceId: string;
  readonly step: number;
}

/** Answers shared by every atomic operation on a record that cannot go ahead. */
export type Refusal =
  | { readonly kind: 'not_found' }
  | { readonly kind: 'already_validated' }
  | { readonly kind: 'locked' }
  | { readonly kind: 'expired' }
  | { readonly kind: 'user_wait'; readonly retryAfterMs: number };

/** The result of {@link CodeStore.verify}. */
export type VerifyOutcome =
  | { readonly kind: 'validated' }
  | { readonly kind: 'wrong_code'; readonly attemptsRemaining: number }
  | { readonly kind: 'replayed'; readonly attemptsRemaining: number }
  | { readonly kind: 'locked_now' }
  | Refusal;

/** A send counted by {@link CodeStore.reserveSend}, with what is needed to take it back. */
export interface SendReservation {
  readonly sends: number;
  readonly previousNextResendAtMs: number;
}

/** The result of {@link CodeStore.reserveSend}. */
export type ReserveOutcome =
  | ({ readonly kind: 'reserved' } & SendReservation)
  | { readonly kind: 'cooldown'; readonly retryAfterMs: number }
  | { readonly kind: 'exhausted'; readonly retryAfterMs: number }
  | Refusal;

/** The result of {@link CodeStore.cancel}: `finished` means there was nothing left to cancel. */
export type CancelOutcome = {
  readonly kind: 'canceled' | 'finished' | 'not_found' | 'already_validated';
};

/**
 * Where authentications live. Every state change is one atomic operation that re-checks the state
 * it depends on, so concurrent requests cannot both consume a code or exceed the attempt limit.
 */
export interface CodeStore {
  /** Stores a new pending authentication (its first send already counted), kept until expiry plus a retention. */
  create(record: AuthRecord, nowMs: number): Promise<void>;
  get(authId: string): Promise<AuthRecord | undefined>;
  /** Deletes an authentication whose first send could not be queued: nothing half-written stays. */
  remove(authId: string): Promise<void>;
  verify(attempt: VerifyAttempt): Promise<VerifyOutcome>;
  /** Counts one more send if the cooldown, the send cap, the state and the user's wait allow it. */
  reserveSend(
    authId: string,
    clientId: string,
    userKey: string,
    nowMs: number,
  ): Promise<ReserveOutcome>;
  /** Takes back a reservation whose send failed (only if no later send was counted since). */
  releaseSend(authId: string, reservation: SendReservation): Promise<void>;
  cancel(authId: string, clientId: string, nowMs: number): Promise<CancelOutcome>;
  /** Milliseconds the user must still wait (0 when free). */
  userWaitMs(userKey: string, nowMs: number): Promise<number>;
}
