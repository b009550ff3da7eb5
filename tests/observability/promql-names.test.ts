import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { promqlNames, tokenize } from './support/promql-names.js';
import { readExposition } from './support/queries.js';

const names = (expr: string) => {
  const found = promqlNames(expr);
  return {
    metrics: [...found.metrics].sort(),
    matchers: Object.fromEntries([...found.matchers].map(([m, l]) => [m, [...l].sort()])),
    grouping: [...found.grouping].sort(),
  };
};

describe('promqlNames, the tokenizer the live-metrics test reads queries with', () => {
  it('finds the metric of a selector and the labels of its matchers, not their values', () => {
    assert.deepEqual(names('sms_sends_total{provider=~"$provider", outcome!="sent"}'), {
      metrics: ['sms_sends_total'],
      matchers: { sms_sends_total: ['outcome', 'provider'] },
      grouping: [],
    });
  });

  it('skips functions, aggregations, keywords, numbers and durations, and reads by/on lists as labels', () => {
    assert.deepEqual(
      names(
        'histogram_quantile(0.99, sum by (le, provider) (rate(sms_send_duration_seconds_bucket[$__rate_interval])))',
      ),
      { metrics: ['sms_send_duration_seconds_bucket'], matchers: {}, grouping: ['le', 'provider'] },
    );
    assert.deepEqual(
      names(
        '(sum(increase(a_total[1h] offset 1d)) without (instance) or 0 * b) / on (job) group_left (country) c > bool 0.5 unless d @ end()',
      ),
      {
        metrics: ['a_total', 'b', 'c', 'd'],
        matchers: {},
        grouping: ['country', 'instance', 'job'],
      },
    );
  });

  it('ignores what a subquery range holds and what strings say', () => {
    assert.deepEqual(
      names(
        'max_over_time(rate(x_total[5m])[30m:1m]) + label_replace(y, "dst", "$1", "src", "(.*)")',
      ),
      { metrics: ['x_total', 'y'], matchers: {}, grouping: [] },
    );
  });

  it('refuses what it cannot read instead of guessing', () => {
    assert.throws(() => tokenize('rate(x[$interval])'), /unexpected "\$"/);
    assert.throws(() => promqlNames('{__name__="x"}'), /without a metric name/);
    assert.throws(() => promqlNames('x{job}'), /cannot read the matcher/);
    assert.throws(() => promqlNames('rate(x[5m)'), /no \]/);
  });
});

describe('readExposition', () => {
  it('reads sample names with their label names, skipping comments', () => {
    const text = [
      '# HELP mfa_codes_issued_total Codes sent',
      '# TYPE mfa_codes_issued_total counter',
      'mfa_codes_issued_total{application="shop",country="BR"} 3',
      'mfa_codes_issued_total{application="a \\"quoted\\", name",country=""} 1',
      'sms_queue_oldest_waiting_seconds 0',
      '',
    ].join('\n');
    assert.deepEqual(
      Object.fromEntries([...readExposition(text)].map(([k, v]) => [k, [...v].sort()])),
      {
        mfa_codes_issued_total: ['application', 'country'],
        sms_queue_oldest_waiting_seconds: [],
      },
    );
  });
});
