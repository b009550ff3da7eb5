import { callingCodeOf } from '@sms-mfa/common/phone';
import type { AuditLog, StoredAuditEvent } from '../../audit/audit-log.js';

/** What the admin page counts per hour, each from one or two audit event types. */
export const FIGURES = [
  'issued',
  'validated',
  'failed',
  'locked',
  'expired',
  'rate_limited',
  'prefix_quarantined',
  'budget',
] as const;
/** One of {@link FIGURES}. */
export type Figure = (typeof FIGURES)[number];

const FIGURE_OF: Readonly<Record<string, Figure>> = {
  issued: 'issued',
  validated: 'validated',
  validation_failed: 'failed',
  locked: 'locked',
  expired: 'expired',
  rate_limited: 'rate_limited',
  prefix_quarantined: 'prefix_quarantined',
  budget_warning: 'budget',
  budget_exhausted: 'budget',
};

/** One hour's counts; `start` is the hour's first millisecond (UTC). */
export interface HourFigures {
  readonly start: number;
  readonly counts: Record<Figure, number>;
}

/** Codes issued and validated for one kind of destination over the whole window. */
export interface DestinationFigures {
  /** `+91` (a calling code), `+23…` (a three-digit code the masked number no longer tells), `email`, or `none` (TOTP). */
  readonly destination: string;
  issued: number;
  validated: number;
}

/** The last 24 hours of the audit trail, hour by hour. */
export interface AuditFigures {
  readonly hours: readonly HourFigures[];
  readonly totals: Record<Figure, number>;
  readonly destinations: readonly DestinationFigures[];
  /** Every application with events in the window (whatever the filter), for the page's links. */
  readonly applications: readonly string[];
  /** True when the read stopped at {@link MAX_READ} events before reaching the window's start. */
  readonly truncated: boolean;
}

/** Hours on the page; the last is the current, partial one. */
export const HOURS = 24;
const HOUR_MS = 3_600_000;
const PAGE_SIZE = 1000;
/** The stream keeps about 100 000 events; reading more than that means something is wrong. */
const MAX_READ = 120_000;

/**
 * Reads the audit trail newest first back to the start of the window and counts it per hour,
 * for one application or all. Test devices' events are left out (nothing was sent for them).
 */
export async function readAuditFigures(
  audit: Pick<AuditLog, 'page'>,
  now: number,
  application?: string,
): Promise<AuditFigures> {
  const tally = new Tally(now, application);
  let cursor: string | undefined;
  let read = 0;
  do {
    const page = await audit.page(cursor, PAGE_SIZE);
    read += page.events.length;
    cursor = page.nextCursor;
    if (!page.events.every((event) => tally.add(event))) {
      return tally.result(false);
    }
  } while (cursor && read < MAX_READ);
  return tally.result(cursor !== undefined);
}

/** Counts events into hours; pure, so the counting is tested without Redis. */
export class Tally {
  readonly #first: number;
  readonly #hours: HourFigures[];
  readonly #destinations = new Map<string, DestinationFigures>();
  readonly #applications = new Set<string>();

  constructor(
    now: number,
    private readonly application?: string,
  ) {
    this.#first = Math.floor(now / HOUR_MS) * HOUR_MS - (HOURS - 1) * HOUR_MS;
    this.#hours = Array.from({ length: HOURS }, (_, i) => ({
      start: this.#first + i * HOUR_MS,
      counts: zeroes(),
    }));
  }

  /** Counts one event; false once events are older than the window (reading can stop). */
  add(event: StoredAuditEvent): boolean {
    const at = Date.parse(event['at'] ?? '');
    if (!(at >= this.#first)) {
      return Number.isNaN(at);
    }
    const hour = this.#hours[Math.floor((at - this.#first) / HOUR_MS)];
    const figure = FIGURE_OF[event['type'] ?? ''];
    const app = event['application'] ?? '';
    this.#applications.add(app);
    if (!hour || !figure || event['test'] === 'true') {
      return true;
    }
    if (this.application === undefined || this.application === app) {
      hour.counts[figure] += 1;
      this.countDestination(event, figure);
    }
    return true;
  }

  /** The counts so far. */
  result(truncated: boolean): AuditFigures {
    const totals = zeroes();
    for (const hour of this.#hours) {
      for (const figure of FIGURES) {
        totals[figure] += hour.counts[figure];
      }
    }
    return {
      hours: this.#hours,
      totals,
      destinations: [...this.#destinations.values()].sort(
        (a, b) => b.issued - a.issued || a.destination.localeCompare(b.destination),
      ),
      applications: [...this.#applications].filter(Boolean).sort(),
      truncated,
    };
  }

  private countDestination(event: StoredAuditEvent, figure: Figure): void {
    if (figure !== 'issued' && figure !== 'validated') {
      return;
    }
    const destination = destinationOf(event);
    const row = this.#destinations.get(destination) ?? { destination, issued: 0, validated: 0 };
    row[figure] += 1;
    this.#destinations.set(destination, row);
  }
}

/** The kind of destination an event names: the calling code of its masked number, `email`, or `none`. */
export function destinationOf(event: StoredAuditEvent): string {
  if (event['email']) {
    return 'email';
  }
  const visible = /^\+(\d+)/.exec(event['phone'] ?? '')?.[1];
  if (!visible) {
    return 'none';
  }
  const code = callingCodeOf(visible);
  return code ? `+${code}` : `+${visible}…`;
}

function zeroes(): Record<Figure, number> {
  return Object.fromEntries(FIGURES.map((f) => [f, 0])) as Record<Figure, number>;
}
