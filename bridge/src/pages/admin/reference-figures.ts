import { httpCall } from '@sms-mfa/common/http-client';
import { parsePrometheusText, type Sample } from './prometheus-text.js';

/** What the reference API's public `/metrics` says now, as the admin page shows it. */
export interface ReferenceFigures {
  /** `sms_sends_total{provider,outcome}`, since the counters began. */
  readonly sends: readonly { provider: string; outcome: string; count: number }[];
  /** `sms_queue_jobs{state}`. */
  readonly queue: readonly { state: string; jobs: number }[];
  /** `sms_queue_oldest_waiting_seconds`; undefined when not exported. */
  readonly oldestWaitingSeconds: number | undefined;
  /** `sms_provider_breaker_open{provider}`. */
  readonly breakers: readonly { provider: string; open: boolean }[];
}

/** How long the page waits for the reference API before saying it is unreachable. */
export const REFERENCE_TIMEOUT_MS = 1500;

/**
 * Fetches and reads `${referenceApiUrl}/metrics`; undefined when it cannot (down, slow, not 200),
 * never an error: the page then says "reference API unreachable".
 */
export async function readReferenceFigures(
  referenceApiUrl: string,
  timeoutMs = REFERENCE_TIMEOUT_MS,
): Promise<ReferenceFigures | undefined> {
  try {
    const answer = await httpCall(`${referenceApiUrl}/metrics`, {
      timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return answer.status === 200 ? referenceFiguresOf(parsePrometheusText(answer.text)) : undefined;
  } catch {
    return undefined;
  }
}

/** Picks the page's figures out of the samples. */
export function referenceFiguresOf(samples: readonly Sample[]): ReferenceFigures {
  const named = (name: string) => samples.filter((s) => s.name === name);
  const label = (s: Sample, key: string) => s.labels[key] ?? '';
  const byKey = <T>(rows: T[], key: (row: T) => string) =>
    rows.sort((a, b) => key(a).localeCompare(key(b)));
  return {
    sends: byKey(
      named('sms_sends_total').map((s) => ({
        provider: label(s, 'provider'),
        outcome: label(s, 'outcome'),
        count: s.value,
      })),
      (r) => `${r.provider}\0${r.outcome}`,
    ),
    queue: byKey(
      named('sms_queue_jobs').map((s) => ({ state: label(s, 'state'), jobs: s.value })),
      (r) => r.state,
    ),
    oldestWaitingSeconds: named('sms_queue_oldest_waiting_seconds')[0]?.value,
    breakers: byKey(
      named('sms_provider_breaker_open').map((s) => ({
        provider: label(s, 'provider'),
        open: s.value > 0,
      })),
      (r) => r.provider,
    ),
  };
}
