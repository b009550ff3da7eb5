import { html, type SafeHtml } from '../html.js';

/** A chart's accessible name and description, and one value per hour with its label. */
export interface ChartData {
  /** Unique on the page: the title and desc ids derive from it. */
  readonly id: string;
  readonly title: string;
  readonly desc: string;
  readonly labels: readonly string[];
}

// One coordinate system for every chart; CSS scales the SVG to its box.
const WIDTH = 480;
const LEFT = 52;
const RIGHT = 456;
const TOP = 14;
const BOTTOM = 104;
const HEIGHT = 132;
const LABEL_EVERY = 6;

/**
 * Bars per hour as inline SVG: no script, no inline style (the page's CSP allows neither), named
 * by its <title> and <desc>; each bar carries its own hour and value as a tooltip. The numbers
 * are also in the page's table, which is what a screen reader should use.
 */
export function barChart(data: ChartData & { readonly values: readonly number[] }): SafeHtml {
  const max = Math.max(1, ...data.values);
  const step = (RIGHT - LEFT) / Math.max(1, data.values.length);
  const bars = data.values.map((value, i) => {
    const height = (value / max) * (BOTTOM - TOP);
    return html`<rect
      class="bar"
      x="${fixed(LEFT + i * step + step * 0.15)}"
      y="${fixed(BOTTOM - height)}"
      width="${fixed(step * 0.7)}"
      height="${fixed(height)}"
      ><title>${data.labels[i]}: ${value}</title></rect
    >`;
  });
  return frame(data, [axis(String(max), '0'), bars, hourLabels(data.labels, step)]);
}

/** A line of ratios (0–1) per hour; an hour without a ratio (nothing issued) breaks the line. */
export function ratioChart(
  data: ChartData & {
    readonly values: readonly (number | undefined)[];
    readonly percent: (ratio: number) => string;
  },
): SafeHtml {
  const step = (RIGHT - LEFT) / Math.max(1, data.values.length);
  const point = (ratio: number, i: number) =>
    [fixed(LEFT + i * step + step / 2), fixed(BOTTOM - ratio * (BOTTOM - TOP))] as const;
  const lines = segments(data.values).map(
    (run) =>
      html`<polyline
        class="line"
        points="${run.map(({ v, i }) => point(v, i).join(',')).join(' ')}"
      />`,
  );
  const dots = data.values.map((v, i) => {
    if (v === undefined) {
      return '';
    }
    const [x, y] = point(v, i);
    return html`<circle class="dot" cx="${x}" cy="${y}" r="5"
      ><title>${data.labels[i]}: ${data.percent(v)}</title></circle
    >`;
  });
  return frame(data, [
    axis(data.percent(1), data.percent(0)),
    lines,
    dots,
    hourLabels(data.labels, step),
  ]);
}

function frame(
  data: ChartData,
  parts: readonly (SafeHtml | readonly (SafeHtml | string)[])[],
): SafeHtml {
  return html`<svg
    class="chart"
    role="img"
    viewBox="0 0 ${WIDTH} ${HEIGHT}"
    aria-labelledby="${data.id}-title ${data.id}-desc"
  >
    <title id="${data.id}-title">${data.title}</title>
    <desc id="${data.id}-desc">${data.desc}</desc>
    ${parts}
  </svg>`;
}

/** The baseline, the top gridline and their values. */
function axis(top: string, bottom: string): SafeHtml {
  return html`<line class="grid" x1="${LEFT}" y1="${TOP}" x2="${RIGHT}" y2="${TOP}" />
    <line class="baseline" x1="${LEFT}" y1="${BOTTOM}" x2="${RIGHT}" y2="${BOTTOM}" />
    <text class="axis" x="${LEFT - 4}" y="${TOP + 4}" text-anchor="end">${top}</text>
    <text class="axis" x="${LEFT - 4}" y="${BOTTOM}" text-anchor="end">${bottom}</text>`;
}

function hourLabels(labels: readonly string[], step: number): SafeHtml[] {
  return labels
    .map((label, i) => ({ label, i }))
    .filter(({ i }) => i % LABEL_EVERY === 0 || i === labels.length - 1)
    .map(
      ({ label, i }) =>
        html`<text
          class="axis"
          x="${fixed(LEFT + i * step + step / 2)}"
          y="${HEIGHT - 4}"
          text-anchor="middle"
          >${label}</text
        >`,
    );
}

/** Runs of consecutive defined values, each with its index. */
function segments(values: readonly (number | undefined)[]): { v: number; i: number }[][] {
  const runs: { v: number; i: number }[][] = [[]];
  values.forEach((v, i) => {
    if (v === undefined) {
      runs.push([]);
    } else {
      runs.at(-1)!.push({ v, i });
    }
  });
  return runs.filter((run) => run.length > 0);
}

function fixed(n: number): string {
  return n.toFixed(1);
}
