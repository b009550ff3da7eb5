import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { callingCodeOf } from '@sms-mfa/common/phone';
import type { StoredAuditEvent } from '../src/audit/audit-log.js';
import { barChart, ratioChart } from '../src/pages/admin/admin-charts.js';
import { destinationOf, Tally } from '../src/pages/admin/audit-figures.js';
import { parsePrometheusText } from '../src/pages/admin/prometheus-text.js';
import { referenceFiguresOf } from '../src/pages/admin/reference-figures.js';
import { Messages } from '../src/pages/i18n.js';

const NOW = Date.parse('2030-05-01T12:30:00Z');
const event = (type: string, at: string, extra: Record<string, string> = {}): StoredAuditEvent =>
  ({ id: '1-0', type, at, application: 'shop', outcome: 'success', ...extra }) as StoredAuditEvent;

describe('the admin page’s building blocks', () => {
  it('reads the Prometheus text format: labels with escapes, NaN and Inf, comments skipped, odd lines left out', () => {
    const samples = parsePrometheusText(
      [
        '# HELP sms_sends_total Send outcomes',
        '# TYPE sms_sends_total counter',
        'sms_sends_total{provider="outbox",outcome="sent"} 12',
        'sms_sends_total{ provider = "a\\"b\\\\c\\n", outcome="failed",} 3 1700000000000',
        'sms_queue_oldest_waiting_seconds 0.25',
        'sms_send_duration_seconds_bucket{le="+Inf"} +Inf',
        'broken{provider="x} 1',
        'nan_metric NaN',
        '',
      ].join('\n'),
    );
    assert.deepEqual(samples.slice(0, 4), [
      { name: 'sms_sends_total', labels: { provider: 'outbox', outcome: 'sent' }, value: 12 },
      { name: 'sms_sends_total', labels: { provider: 'a"b\\c\n', outcome: 'failed' }, value: 3 },
      { name: 'sms_queue_oldest_waiting_seconds', labels: {}, value: 0.25 },
      { name: 'sms_send_duration_seconds_bucket', labels: { le: '+Inf' }, value: Infinity },
    ]);
    assert.equal(samples.length, 5);
    assert.ok(Number.isNaN(samples[4]?.value));
  });

  it('picks sends, queue, the oldest waiting job and the breakers out of the reference API’s samples', () => {
    const figures = referenceFiguresOf(
      parsePrometheusText(
        'sms_sends_total{provider="twilio",outcome="sent"} 2\nsms_sends_total{provider="outbox",outcome="sent"} 5\n' +
          'sms_queue_jobs{state="waiting"} 1\nsms_queue_oldest_waiting_seconds 4.5\n' +
          'sms_provider_breaker_open{provider="twilio"} 1\nsms_provider_breaker_open{provider="outbox"} 0\n',
      ),
    );
    assert.deepEqual(figures, {
      sends: [
        { provider: 'outbox', outcome: 'sent', count: 5 },
        { provider: 'twilio', outcome: 'sent', count: 2 },
      ],
      queue: [{ state: 'waiting', jobs: 1 }],
      oldestWaitingSeconds: 4.5,
      breakers: [
        { provider: 'outbox', open: false },
        { provider: 'twilio', open: true },
      ],
    });
  });

  it('tells the calling code from a masked number when its two visible digits are enough', () => {
    assert.equal(callingCodeOf('+91'), '91');
    assert.equal(callingCodeOf('+14'), '1');
    assert.equal(callingCodeOf('+79'), '7');
    assert.equal(callingCodeOf('+23'), undefined);
    assert.equal(destinationOf(event('issued', '', { phone: '+44*******456' })), '+44');
    assert.equal(destinationOf(event('issued', '', { phone: '+23******789' })), '+23…');
    assert.equal(destinationOf(event('issued', '', { email: 'j•••@example.com' })), 'email');
    assert.equal(destinationOf(event('issued', '')), 'none');
  });

  it('counts events into the 24 hours up to now, leaves test devices out and stops at the window’s start', () => {
    const tally = new Tally(NOW);
    assert.equal(tally.add(event('issued', '2030-05-01T12:10:00Z', { phone: '+91****212' })), true);
    assert.equal(
      tally.add(event('validated', '2030-05-01T12:11:00Z', { phone: '+91****212' })),
      true,
    );
    assert.equal(tally.add(event('issued', '2030-05-01T12:12:00Z', { test: 'true' })), true);
    assert.equal(tally.add(event('budget_exhausted', '2030-04-30T13:59:00Z')), true);
    assert.equal(tally.add(event('sent', '2030-04-30T13:00:00Z')), true);
    assert.equal(tally.add(event('issued', '2030-04-30T12:59:59Z')), false);
    const figures = tally.result(false);
    assert.equal(figures.hours.length, 24);
    assert.equal(new Date(figures.hours[0]!.start).toISOString(), '2030-04-30T13:00:00.000Z');
    assert.deepEqual(
      [figures.hours[23]!.counts.issued, figures.hours[23]!.counts.validated],
      [1, 1],
    );
    assert.equal(figures.hours[0]!.counts.budget, 1);
    assert.equal(figures.totals.issued, 1);
    assert.deepEqual(figures.destinations, [{ destination: '+91', issued: 1, validated: 1 }]);
    assert.deepEqual(figures.applications, ['shop']);
  });

  it('counts one application when asked, while still listing every application', () => {
    const tally = new Tally(NOW, 'other');
    tally.add(event('issued', '2030-05-01T12:10:00Z'));
    tally.add(event('issued', '2030-05-01T12:10:00Z', { application: 'other' }));
    const figures = tally.result(false);
    assert.equal(figures.totals.issued, 1);
    assert.deepEqual(figures.applications, ['other', 'shop']);
  });

  it('draws charts as named SVG with no script and no inline style, values escaped', () => {
    const labels = ['00:00', '01:00', '02:00'];
    const bars = barChart({
      id: 'c',
      title: 'Codes <issued>',
      desc: 'd',
      labels,
      values: [0, 3, 1],
    }).value;
    assert.match(bars, /<svg\s+class="chart"\s+role="img"[^>]*aria-labelledby="c-title c-desc"/);
    assert.match(bars, /<title id="c-title">Codes &lt;issued&gt;<\/title>/);
    assert.equal((bars.match(/<rect\b/g) ?? []).length, 3);
    const line = ratioChart({
      id: 'r',
      title: 't',
      desc: 'd',
      labels,
      values: [0.5, undefined, 1],
      percent: (r) => `${r * 100}%`,
    }).value;
    assert.equal((line.match(/<circle\b/g) ?? []).length, 2);
    for (const svg of [bars, line]) {
      assert.doesNotMatch(svg, /style=|<script|on[a-z]+=/);
    }
  });

  it('has every admin text in the five languages', () => {
    const messages = new Messages();
    const english = messages.translator('en');
    for (const locale of ['pt-BR', 'de', 'es', 'fr'] as const) {
      const t = messages.translator(locale);
      for (const key of [
        'adminTitle',
        'adminRefused',
        'adminReferenceUnreachable',
        'adminFigure_budget',
      ]) {
        assert.ok(messages.has(key), key);
        assert.notEqual(t(key), english(key), `${locale}: ${key}`);
      }
    }
  });
});
