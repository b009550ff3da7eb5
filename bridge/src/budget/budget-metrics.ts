import { Counter, Gauge, type Registry } from 'prom-client';
import type { Application } from '../apps/application.js';
import { utcDay, type SpendLedger } from './spend-ledger.js';

/** Counts budget crossings; a no-op without a registry. */
export interface BudgetMetrics {
  crossed(application: string, level: 'warning' | 'exhausted'): void;
}

/** What the budget gauges read at scrape time. */
export interface BudgetSources {
  readonly apps: { list(): Promise<Application[]> };
  readonly ledger: SpendLedger;
  readonly now: () => number;
}

/** `mfa_budget_crossings_total{application,level}`: 80% (warning) and 100% (exhausted), once per application and UTC day. */
export function createBudgetMetrics(registry: Registry | undefined): BudgetMetrics {
  if (!registry) {
    return { crossed: () => undefined };
  }
  const crossings = new Counter({
    name: 'mfa_budget_crossings_total',
    help: 'Daily budgets crossed: level warning at 80%, exhausted at 100% (once per application and UTC day)',
    labelNames: ['application', 'level'],
    registers: [registry],
  });
  return { crossed: (application, level) => crossings.inc({ application, level }) };
}

interface BudgetFigures {
  readonly labels: { application: string; currency: string };
  readonly amount: number;
  readonly spent: number;
}

/** Each budgeted application's budget and spend today; undefined while Redis cannot say. */
async function readBudgets(sources: BudgetSources): Promise<BudgetFigures[] | undefined> {
  const apps = await sources.apps.list().catch(() => undefined);
  if (!apps) {
    return undefined;
  }
  const day = utcDay(sources.now());
  const budgeted = apps.filter((app) => app.dailyBudget);
  return Promise.all(
    budgeted.map(async (app) => ({
      labels: { application: app.clientId, currency: app.dailyBudget!.currency },
      amount: app.dailyBudget!.amount,
      spent: await sources.ledger.spent(app.clientId, day).catch(() => 0),
    })),
  );
}

/**
 * `mfa_budget_daily{application,currency}` (each application's budget) and
 * `mfa_budget_spent{application,currency}` (its spend today, UTC), read from Redis at scrape time
 * so every bridge process shows the same.
 */
export function registerBudgetGauges(registry: Registry, sources: BudgetSources): void {
  const gauge = (name: string, help: string, value: (f: BudgetFigures) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['application', 'currency'],
      registers: [registry],
      async collect() {
        const figures = await readBudgets(sources);
        if (figures) {
          this.reset(); // a budget taken away leaves no series behind
          figures.forEach((f) => this.set(f.labels, value(f)));
        }
      },
    });
  gauge('mfa_budget_daily', "Each application's daily budget (dailyBudget)", (f) => f.amount);
  gauge(
    'mfa_budget_spent',
    "What each application with a daily budget spent today (UTC), in its budget's currency",
    (f) => f.spent,
  );
}
