// The metric and label names a PromQL expression reads, found by a small tokenizer rather than a
// full parser: enough for the expressions of docker/ (selectors, matchers, functions, aggregations
// with by/without, vector matching with on/ignoring/group_left/group_right, ranges, subqueries,
// offset and @). Whether an expression is valid PromQL is promtool's to say (promtool.test.ts).

/** The names an expression reads. */
export interface PromqlNames {
  /** Metric names of its vector selectors. */
  readonly metrics: ReadonlySet<string>;
  /** Label names matched in a selector's braces, by the selector's metric. */
  readonly matchers: ReadonlyMap<string, ReadonlySet<string>>;
  /** Label names of by / without / on / ignoring / group_left / group_right lists. */
  readonly grouping: ReadonlySet<string>;
}

/** Grafana's interval variables, replaced by a duration so that a dashboard query tokenizes as PromQL. */
const GRAFANA_INTERVALS =
  /\$(?:__rate_interval|__interval|__range)\b|\$\{(?:__rate_interval|__interval|__range)\}/g;

const TOKEN =
  /\s+|#[^\n]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|\.?\d[\w.]*|[A-Za-z_:][\w:]*|=~|!~|!=|==|>=|<=|[-+*/%^=<>(){}[\],@:]/y;
const GROUPING = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS = new Set([...GROUPING, 'and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan']);
const MATCH_OPS = new Set(['=', '!=', '=~', '!~']);

/** Splits `expr` into tokens, dropping white space and comments; throws on a character PromQL has no use for. */
export function tokenize(expr: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expr.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(expr);
    if (!match) {
      throw new SyntaxError(`unexpected ${JSON.stringify(expr[at])} at ${at} in: ${expr}`);
    }
    if (!/^\s|^#/.test(match[0])) {
      tokens.push(match[0]);
    }
  }
  return tokens;
}

const isIdentifier = (token: string | undefined) => token !== undefined && /^[A-Za-z_]/.test(token);

/** The metric and label names `expr` reads; Grafana's `$__rate_interval`, `$__interval` and `$__range` are allowed. */
export function promqlNames(expr: string): PromqlNames {
  const tokens = tokenize(expr.replace(GRAFANA_INTERVALS, '5m'));
  const metrics = new Set<string>();
  const matchers = new Map<string, Set<string>>();
  const grouping = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === '[') {
      i = closing(tokens, i, ']'); // a range or subquery: durations only
    } else if (token === '{') {
      i = readMatchers(tokens, i, undefined, matchers);
    } else if (isIdentifier(token) && tokens[i + 1] === '(') {
      if (GROUPING.has(token)) {
        i = readLabelList(tokens, i + 1, grouping);
      } // else a function or an aggregation: its arguments follow
    } else if (isIdentifier(token) && ['by', 'without'].includes(tokens[i + 1] ?? '')) {
      // an aggregation with its grouping first: `sum by (le) (...)`
    } else if (isIdentifier(token) && !KEYWORDS.has(token.toLowerCase())) {
      metrics.add(token);
      if (tokens[i + 1] === '{') {
        i = readMatchers(tokens, i + 1, token, matchers);
      }
    }
  }
  return { metrics, matchers, grouping };
}

/** The index of the first `close` after `open`. */
function closing(tokens: string[], open: number, close: string): number {
  const at = tokens.indexOf(close, open);
  if (at < 0) {
    throw new SyntaxError(`no ${close} after ${tokens.slice(open, open + 3).join(' ')}`);
  }
  return at;
}

/** Reads `{label op "value", ...}` from the `{` at `open`; returns the index of the `}`. */
function readMatchers(
  tokens: string[],
  open: number,
  metric: string | undefined,
  into: Map<string, Set<string>>,
): number {
  let i = open + 1;
  for (; tokens[i] !== '}'; i++) {
    const [label, op, value] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (!isIdentifier(label) || !MATCH_OPS.has(op ?? '') || !/^["'`]/.test(value ?? '')) {
      throw new SyntaxError(`cannot read the matcher at ${tokens.slice(i, i + 3).join(' ')}`);
    }
    if (metric === undefined) {
      throw new SyntaxError(
        `a selector without a metric name ({${label}${op}${value}}) is not supported`,
      );
    }
    if (!into.has(metric)) {
      into.set(metric, new Set());
    }
    into.get(metric)!.add(label!);
    i += tokens[i + 3] === ',' ? 3 : 2;
  }
  return i;
}

/** Reads `(a, b, ...)` from the `(` at `open` into `into`; returns the index of the `)`. */
function readLabelList(tokens: string[], open: number, into: Set<string>): number {
  const close = closing(tokens, open, ')');
  for (const token of tokens.slice(open + 1, close)) {
    if (token !== ',') {
      into.add(token);
    }
  }
  return close;
}
