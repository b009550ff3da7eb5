import { Counter, Gauge, type Registry } from 'prom-client';

/** What happened to codes, counted per application (issued vs validated is the conversion rate: SMS pumping shows there first). */
export type CodeEvent = 'issued' | 'validated' | 'failed' | 'locked' | 'expired';

/** Counts code events; a no-op without a registry. */
export interface OtpMetrics {
  count(event: CodeEvent, application: string): void;
}

const HELP: Record<CodeEvent, string> = {
  issued: 'Codes sent to a device (first sends; resends are not new codes)',
  validated: 'Codes validated successfully',
  failed: 'Wrong codes submitted',
  locked: 'Authentications locked after too many wrong codes',
  expired: 'Validations refused because the code had expired',
};

/** Counters `mfa_codes_<event>_total{application}` on `registry`. */
export function createOtpMetrics(registry: Registry | undefined): OtpMetrics {
  if (!registry) {
    return { count: () => undefined };
  }
  const counters = new Map<CodeEvent, Counter<'application'>>();
  for (const event of Object.keys(HELP) as CodeEvent[]) {
    const name = `mfa_codes_${event}_total`;
    const existing = registry.getSingleMetric(name) as Counter<'application'> | undefined;
    counters.set(
      event,
      existing ??
        new Counter({
          name,
          help: HELP[event],
          labelNames: ['application'],
          registers: [registry],
        }),
    );
  }
  registerConversion(registry, counters);
  return { count: (event, application) => counters.get(event)?.inc({ application }) };
}

/** `mfa_conversion_ratio{application}`: validated / issued. A falling ratio is the first sign of SMS pumping. */
function registerConversion(
  registry: Registry,
  counters: Map<CodeEvent, Counter<'application'>>,
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
      const issued = await counters.get('issued')!.get();
      const validated = new Map(
        (await counters.get('validated')!.get()).values.map((v) => [
          v.labels['application'],
          v.value,
        ]),
      );
      for (const { labels, value } of issued.values) {
        if (value > 0) {
          this.set(
            { application: String(labels['application']) },
            (validated.get(labels['application']) ?? 0) / value,
          );
        }
      }
    },
  });
}
