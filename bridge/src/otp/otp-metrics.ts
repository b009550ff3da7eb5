import { Counter, Gauge, type Registry } from 'prom-client';

/** What happened to codes, counted per application (issued vs validated is the conversion rate: SMS pumping shows there first). */
export type CodeEvent = 'issued' | 'validated' | 'failed' | 'locked' | 'expired';

/** Counts code events; a no-op without a registry. */
export interface OtpMetrics {
  /**
   * `country`: ISO 3166 alpha-2 of the phone number the code went to; '' for channels without one.
   * `test`: a test device's code (fixed, never sent), counted under `kind="test"` rather than `"live"`.
   */
  count(event: CodeEvent, application: string, country?: string, test?: boolean): void;
}

/** The labels of every code counter: conversion per country is computed from them in PromQL. */
type CodeLabel = 'application' | 'country' | 'kind';

const HELP: Record<CodeEvent, string> = {
  issued: 'Codes sent to a device (first sends; resends are not new codes)',
  validated: 'Codes validated successfully',
  failed: 'Wrong codes submitted',
  locked: 'Authentications locked after too many wrong codes',
  expired: 'Validations refused because the code had expired',
};

/** Counters `mfa_codes_<event>_total{application,country,kind}` on `registry`. */
export function createOtpMetrics(registry: Registry | undefined): OtpMetrics {
  if (!registry) {
    return { count: () => undefined };
  }
  const counters = new Map<CodeEvent, Counter<CodeLabel>>();
  for (const event of Object.keys(HELP) as CodeEvent[]) {
    const name = `mfa_codes_${event}_total`;
    const existing = registry.getSingleMetric(name) as Counter<CodeLabel> | undefined;
    counters.set(
      event,
      existing ??
        new Counter({
          name,
          help: HELP[event],
          labelNames: ['application', 'country', 'kind'],
          registers: [registry],
        }),
    );
  }
  registerConversion(registry, counters);
  return {
    count: (event, application, country = '', test = false) =>
      counters.get(event)?.inc({ application, country, kind: test ? 'test' : 'live' }),
  };
}

/**
 * `mfa_conversion_ratio{application}`: validated / issued, of live codes (test devices' are left
 * out). A falling ratio is the first sign of SMS pumping.
 */
function registerConversion(
  registry: Registry,
  counters: Map<CodeEvent, Counter<CodeLabel>>,
): void {
  if (registry.getSingleMetric('mfa_conversion_ratio')) {
    return;
  }
  new Gauge({
    name: 'mfa_conversion_ratio',
    help: 'Codes validated per code issued, by application (SMS pumping sends codes nobody enters)',
    labelNames: ['application'],
    registers: [registry],
    async collect() {
      const issued = await byApplication(counters.get('issued')!);
      const validated = await byApplication(counters.get('validated')!);
      for (const [application, n] of issued) {
        if (n > 0) {
          this.set({ application }, (validated.get(application) ?? 0) / n);
        }
      }
    },
  });
}

/** A counter's live values summed over countries, by application. */
async function byApplication(counter: Counter<CodeLabel>): Promise<Map<string, number>> {
  const sums = new Map<string, number>();
  for (const { labels, value } of (await counter.get()).values) {
    if (labels['kind'] === 'test') {
      continue;
    }
    const application = String(labels['application']);
    sums.set(application, (sums.get(application) ?? 0) + value);
  }
  return sums;
}
