/** One sample of the Prometheus text exposition format: `name{label="value",…} 12.5`. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const NAME = /^[A-Za-z_:][A-Za-z0-9_:]*/;
const LABEL_NAME = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*"/;
const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', n: '\n' };

/**
 * The samples of a Prometheus text exposition (format 0.0.4): comments and HELP/TYPE lines are
 * skipped, label values unescaped, `NaN` and `±Inf` kept; a line it cannot read is left out
 * rather than failing the rest (one odd metric must not hide the others).
 */
export function parsePrometheusText(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const sample = line.trim() && !line.trimStart().startsWith('#') ? sampleOf(line) : undefined;
    if (sample) {
      samples.push(sample);
    }
  }
  return samples;
}

function sampleOf(line: string): Sample | undefined {
  const name = NAME.exec(line.trimStart())?.[0];
  if (!name) {
    return undefined;
  }
  let rest = line.trimStart().slice(name.length);
  let labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    const read = labelsOf(rest.slice(1));
    if (!read) {
      return undefined;
    }
    ({ labels, rest } = read);
  }
  const value = numberOf(rest.trim().split(/\s+/)[0] ?? '');
  return value === undefined ? undefined : { name, labels, value };
}

/** Reads `a="x",b="y"}` and what follows it; undefined when malformed. */
function labelsOf(text: string): { labels: Record<string, string>; rest: string } | undefined {
  const labels: Record<string, string> = {};
  let rest = text;
  for (;;) {
    rest = rest.replace(/^\s*,?\s*/, '');
    if (rest.startsWith('}')) {
      return { labels, rest: rest.slice(1) };
    }
    const label = LABEL_NAME.exec(rest);
    if (!label?.[1]) {
      return undefined;
    }
    const value = quotedValue(rest.slice(label[0].length));
    if (!value) {
      return undefined;
    }
    labels[label[1]] = value.value;
    rest = value.rest;
  }
}

/** Reads an escaped label value up to its closing quote. */
function quotedValue(text: string): { value: string; rest: string } | undefined {
  let value = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      return { value, rest: text.slice(i + 1) };
    }
    if (c === '\\') {
      const next = text[++i] ?? '';
      value += ESCAPES[next] ?? `\\${next}`;
    } else {
      value += c;
    }
  }
  return undefined;
}

function numberOf(text: string): number | undefined {
  if (/^[+-]?Inf$/.test(text)) {
    return text.startsWith('-') ? -Infinity : Infinity;
  }
  if (text === 'NaN') {
    return NaN;
  }
  const value = Number(text);
  return text !== '' && Number.isFinite(value) ? value : undefined;
}
