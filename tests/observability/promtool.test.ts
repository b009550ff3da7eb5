// The alert rules, their unit tests and the Prometheus configuration of docker/prometheus/, as
// Prometheus' own promtool sees them (Debian's prometheus package; scripts/ensure-system-deps.sh
// installs it for npm test). The dashboard's queries are checked as PromQL the same way.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { ALERTS_FILE, ALERTS_TEST_FILE, dashboardQueries, ROOT } from './support/queries.js';

/** Runs promtool; its output is the assertion message when it fails. */
function promtool(...args: string[]): { ok: boolean; output: string } {
  const run = spawnSync('promtool', args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (run.error) {
    throw new Error(
      `promtool did not run (${run.error.message}): install Debian's prometheus package (bash scripts/ensure-system-deps.sh)`,
    );
  }
  return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
}

/** Grafana's variables as a query runs with every value selected. */
const asPromql = (expr: string) =>
  expr
    .replace(/\$(__rate_interval|__interval)\b/g, '5m')
    .replace(/\$__range\b/g, '1d')
    .replace(/\$(application|provider)\b/g, '.*');

describe('docker/prometheus with promtool', () => {
  let scratch: string;
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'promtool-'));
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('finds the alert rules valid (promtool check rules)', () => {
    const { ok, output } = promtool('check', 'rules', 'docker/prometheus/alerts.yaml');
    assert.ok(ok, output);
    assert.match(output, /SUCCESS: \d+ rules found/);
  });

  it("passes the alert rules' unit tests: each alert fires on its trouble and not on healthy series (promtool test rules)", () => {
    const { ok, output } = promtool('test', 'rules', 'docker/prometheus/alerts.test.yaml');
    assert.ok(ok, output);
  });

  it('finds prometheus.yml valid, its rule file included (promtool check config)', () => {
    const { ok, output } = promtool('check', 'config', 'docker/prometheus/prometheus.yml');
    assert.ok(ok, output);
    assert.match(output, /SUCCESS: 1 rule files found/);
    assert.match(output, /Checking docker\/prometheus\/alerts\.yaml/);
  });

  it('fails the unit tests when a threshold moves under them, so they have teeth', () => {
    const rules = readFileSync(ALERTS_FILE, 'utf8');
    const moved = rules.replace(
      'max(sms_queue_oldest_waiting_seconds) > 60',
      'max(sms_queue_oldest_waiting_seconds) > 600',
    );
    assert.notEqual(moved, rules, 'the backlog rule is where this test expects it');
    writeFileSync(join(scratch, 'alerts.yaml'), moved);
    copyFileSync(ALERTS_TEST_FILE, join(scratch, 'alerts.test.yaml'));
    const { ok, output } = promtool('test', 'rules', join(scratch, 'alerts.test.yaml'));
    assert.equal(ok, false);
    assert.match(output, /SmsQueueBacklog/);
  });

  it('finds every dashboard query valid PromQL, with its Grafana variables filled in', () => {
    const queries = dashboardQueries();
    assert.ok(queries.length >= 10, `${queries.length} queries`);
    const file = join(scratch, 'dashboard-queries.yaml');
    const rules = queries.map((q, i) => ({
      record: `dashboard:query_${i}`,
      expr: asPromql(q.expr),
    }));
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules }] }));
    const { ok, output } = promtool('check', 'rules', file);
    assert.ok(ok, output);
  });

  it('refuses a dashboard query with a syntax error, so that check has teeth', () => {
    const file = join(scratch, 'broken.yaml');
    writeFileSync(
      file,
      stringify({
        groups: [
          { name: 'x', rules: [{ record: 'x:y', expr: 'sum by (provider (sms_sends_total)' }] },
        ],
      }),
    );
    assert.equal(promtool('check', 'rules', file).ok, false);
  });
});
