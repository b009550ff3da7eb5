import type { Logger } from '@sms-mfa/common/logger';
import type { Application } from '../apps/application.js';
import type { AuditLog } from '../audit/audit-log.js';
import { CiamError } from '../errors.js';
import type { Price } from '../messaging/reference-api-client.js';
import type { BudgetMetrics } from './budget-metrics.js';
import { secondsToNextUtcDay, utcDay, type SpendLedger } from './spend-ledger.js';

/** Share of the daily budget at which the application is warned (once a day). */
export const WARNING_SHARE = 0.8;

/**
 * Each application's daily budget: refuses sends once the day's spend reached it, and adds each
 * send's estimated price (the reference API's price table) to the day's spend, with a warning at
 * 80% and an event at 100%, each once per application and UTC day.
 */
export class BudgetGuard {
  private readonly mismatches = new Set<string>();

  constructor(
    private readonly ledger: SpendLedger,
    private readonly audit: AuditLog,
    private readonly logger: Logger,
    private readonly metrics: BudgetMetrics,
  ) {}

  /** Throws 429 BUDGET_EXCEEDED, Retry-After to 00:00 UTC, when `app` spent its budget today. */
  async refuseWhenSpent(app: Application, nowMs: number): Promise<void> {
    const budget = app.dailyBudget;
    if (!budget || (await this.ledger.spent(app.clientId, utcDay(nowMs))) < budget.amount) {
      return;
    }
    const retryAfter = String(secondsToNextUtcDay(nowMs));
    throw new CiamError(
      'BUDGET_EXCEEDED',
      "the application's daily budget is spent; sends resume at 00:00 UTC or when the budget is raised",
      {},
      { 'Retry-After': retryAfter },
    );
  }

  /** Adds a sent message's estimated price to `app`'s spend today; never fails the send. */
  async record(app: Application, price: Price | undefined, nowMs: number): Promise<void> {
    if (!price || price.amount <= 0 || this.currencyMismatch(app, price)) {
      return;
    }
    const day = utcDay(nowMs);
    try {
      const spent = await this.ledger.add(app.clientId, day, price.amount);
      await this.crossings(app, day, spent);
    } catch (err) {
      this.logger.warn('spend not recorded', {
        application: app.clientId,
        error: (err as Error).message,
      });
    }
  }

  /** Prices in another currency than the budget's are not counted: said once per process and pair. */
  private currencyMismatch(app: Application, price: Price): boolean {
    const budget = app.dailyBudget;
    if (!budget || budget.currency === price.currency) {
      return false;
    }
    const pair = `${app.clientId}:${budget.currency}:${price.currency}`;
    if (!this.mismatches.has(pair)) {
      this.mismatches.add(pair);
      this.logger.warn(
        'daily budget and prices are in different currencies: this spend is not counted',
        { application: app.clientId, budget: budget.currency, prices: price.currency },
      );
    }
    return true;
  }

  private async crossings(app: Application, day: string, spent: number): Promise<void> {
    const budget = app.dailyBudget;
    if (!budget) {
      return;
    }
    const reason = `spent ${round(spent)} of ${budget.amount} ${budget.currency} on ${day}`;
    if (spent >= budget.amount * WARNING_SHARE) {
      await this.once(app, day, 'budget_warning', reason);
    }
    if (spent >= budget.amount) {
      await this.once(app, day, 'budget_exhausted', reason);
    }
  }

  private async once(
    app: Application,
    day: string,
    type: 'budget_warning' | 'budget_exhausted',
    reason: string,
  ): Promise<void> {
    if (!(await this.ledger.firstTime(app.clientId, day, type))) {
      return;
    }
    const exhausted = type === 'budget_exhausted';
    this.metrics.crossed(app.clientId, exhausted ? 'exhausted' : 'warning');
    this.logger.warn(
      exhausted
        ? 'daily budget spent: new sends are refused until 00:00 UTC'
        : 'daily budget 80% spent',
      { application: app.clientId, reason },
    );
    await this.audit.record({
      type,
      application: app.clientId,
      outcome: exhausted ? 'failure' : 'success',
      reason,
    });
  }
}

function round(amount: number): number {
  return Math.round(amount * 1e6) / 1e6;
}
