// The PromQL of docker/ (alert rules and dashboard panels) and what a /metrics page exports.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const ALERTS_FILE = join(ROOT, 'docker/prometheus/alerts.yaml');
export const ALERTS_TEST_FILE = join(ROOT, 'docker/prometheus/alerts.test.yaml');
export const DASHBOARD_FILE = join(ROOT, 'docker/grafana/dashboards/sms-mfa.json');

/** One PromQL expression of docker/, and where it is (for messages). */
export interface Query {
  readonly where: string;
  readonly expr: string;
}

/** A Grafana variable's `label_values(<selector>, <label>)`. */
export interface LabelValuesQuery {
  readonly where: string;
  readonly selector: string;
  readonly label: string;
}

interface Panel {
  title?: string;
  targets?: { expr?: string; refId?: string }[];
  panels?: Panel[];
}
interface Dashboard {
  panels: Panel[];
  templating?: { list: { name: string; query?: string | { query: string } }[] };
}

/** Every rule's expression in alerts.yaml. */
export function alertQueries(text = readFileSync(ALERTS_FILE, 'utf8')): Query[] {
  const rules = parse(text) as {
    groups: { rules: { alert?: string; record?: string; expr: string }[] }[];
  };
  return rules.groups.flatMap((g) =>
    g.rules.map((r) => ({ where: `alert ${r.alert ?? r.record}`, expr: r.expr })),
  );
}

/** Every panel query of the dashboard (rows' panels included). */
export function dashboardQueries(text = readFileSync(DASHBOARD_FILE, 'utf8')): Query[] {
  const dashboard = JSON.parse(text) as Dashboard;
  const walk = (panels: Panel[]): Query[] =>
    panels.flatMap((p) => [
      ...(p.targets ?? [])
        .filter((t) => t.expr)
        .map((t) => ({ where: `panel "${p.title}" ${t.refId}`, expr: t.expr! })),
      ...walk(p.panels ?? []),
    ]);
  return walk(dashboard.panels);
}

/** The dashboard variables' `label_values(...)` queries; any other variable query is refused. */
export function variableQueries(text = readFileSync(DASHBOARD_FILE, 'utf8')): LabelValuesQuery[] {
  const dashboard = JSON.parse(text) as Dashboard;
  return (dashboard.templating?.list ?? []).map((v) => {
    const query = typeof v.query === 'string' ? v.query : (v.query?.query ?? '');
    const match = /^label_values\((.+),\s*([A-Za-z_]\w*)\)$/.exec(query.trim());
    if (!match) {
      throw new SyntaxError(
        `variable ${v.name}: only label_values(<selector>, <label>) is checked`,
      );
    }
    return { where: `variable ${v.name}`, selector: match[1]!, label: match[2]! };
  });
}

/** What one or more /metrics pages export: each sample name with the label names its samples carry. */
export type Exported = Map<string, Set<string>>;

/** Reads the sample lines of Prometheus text exposition into `into`. */
export function readExposition(text: string, into: Exported = new Map()): Exported {
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z_:][\w:]*)(?:\{(.*)\})? \S+/.exec(line);
    if (!match) {
      continue; // comments (# HELP, # TYPE) and blank lines
    }
    const labels = into.get(match[1]!) ?? new Set<string>();
    for (const [, name] of (match[2] ?? '').matchAll(/([A-Za-z_]\w*)="(?:[^"\\]|\\.)*"/g)) {
      labels.add(name!);
    }
    into.set(match[1]!, labels);
  }
  return into;
}
