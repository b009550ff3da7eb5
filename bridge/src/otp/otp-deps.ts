import type { Logger } from '@sms-mfa/common/logger';
import type { AuditLog } from '../audit/audit-log.js';
import type { BudgetGuard } from '../budget/budget-guard.js';
import type { MessageSender } from '../messaging/reference-api-client.js';
import type { PrefixGuard } from '../pumping/prefix-guard.js';
import type { RateLimits } from '../ratelimit/rate-limits.js';
import type { DeviceStore } from '../totp/device-store.js';
import type { CodeSealer } from './code.js';
import type { CodeStore, UserWaitPolicy } from './code-store.js';
import type { OtpMetrics } from './otp-metrics.js';
import type { ReplicaWait } from './replica-wait.js';

/** Everything the code use cases work with; tests pass real ones (Redis, the reference API) and their own clock. */
export interface OtpDeps {
  readonly store: CodeStore;
  /** Authenticator apps (TOTP) enrolled per user. */
  readonly devices: DeviceStore;
  readonly limits: RateLimits;
  /** The SMS-pumping guard per destination prefix. */
  readonly pumping: PrefixGuard;
  /** Each application's daily budget: refuses sends once it is spent, adds up what sends cost. */
  readonly budget: BudgetGuard;
  readonly sender: MessageSender;
  readonly audit: AuditLog;
  readonly metrics: OtpMetrics;
  /** REDIS_WAIT_REPLICAS: holds an answer until its write is on the replicas. */
  readonly replicas: ReplicaWait;
  readonly logger: Logger;
  /** Keys the code HMACs and the pseudonyms in Redis keys. */
  readonly serverSecret: Buffer;
  readonly sealer: CodeSealer;
  /** Milliseconds since the epoch; the only clock the use cases read. */
  readonly now: () => number;
}

/**
 * Per-user waits (NIST SP 800-63B-4 3.2.2): once a user's consecutive failures across authentications
 * reach the application's maxAttempts, each further failure doubles a wait from 30 s up to 1 h.
 * A success clears the count; a day without failures forgets it.
 */
export function userWaitPolicy(maxAttempts: number): UserWaitPolicy {
  return {
    failuresBeforeWait: maxAttempts,
    firstWaitMs: 30_000,
    longestWaitMs: 3_600_000,
    retentionMs: 24 * 3_600_000,
  };
}
