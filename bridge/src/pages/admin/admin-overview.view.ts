import { regionsOfCallingCode } from '@sms-mfa/common/phone';
import { html, type SafeHtml } from '../html.js';
import type { Locale, Translate } from '../i18n.js';
import { barChart, ratioChart } from './admin-charts.js';
import { FIGURES, type AuditFigures, type DestinationFigures } from './audit-figures.js';

/** How the overview formats numbers and hours for one language. */
export interface Format {
  readonly t: Translate;
  readonly percent: (ratio: number) => string;
  /** `13:00`, the hour's start in UTC. */
  readonly hour: (start: number) => string;
}

/** Formatting for `locale`. */
export function formatFor(locale: Locale, t: Translate): Format {
  const percent = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 });
  return {
    t,
    percent: (ratio) => percent.format(ratio),
    hour: (start) => new Date(start).toISOString().slice(11, 16),
  };
}

/** Validated ÷ issued, or undefined when nothing was issued. */
export function conversion(issued: number, validated: number): number | undefined {
  return issued > 0 ? validated / issued : undefined;
}

/** Links to each application's figures (no script, so links rather than a select). */
export function applicationLinks(
  t: Translate,
  applications: readonly string[],
  current: string | undefined,
): SafeHtml {
  const link = (label: string, href: string, active: boolean) =>
    html`<li><a href="${href}" ${active ? html` aria-current="page"` : ''}>${label}</a></li>`;
  return html`<nav class="app-links" aria-labelledby="app-links-title">
    <h2 id="app-links-title">${t('adminApplications')}</h2>
    <ul>
      ${link(t('adminAllApplications'), '/admin', current === undefined)}
      ${applications.map((a) => link(a, `/admin?application=${encodeURIComponent(a)}`, a === current))}
    </ul>
  </nav>`;
}

/** The 24 h totals, a chart per figure, the conversion line and the same numbers as a table. */
export function figuresSection(f: Format, figures: AuditFigures): SafeHtml {
  const { t } = f;
  const labels = figures.hours.map((h) => f.hour(h.start));
  const charts = FIGURES.map((figure) => {
    const values = figures.hours.map((h) => h.counts[figure]);
    const title = t(`adminFigure_${figure}`);
    return html`<figure class="chart-box">
      ${barChart({
        id: `chart-${figure}`,
        title,
        desc: t('adminChartDesc', title, figures.totals[figure], Math.max(0, ...values)),
        labels,
        values,
      })}
      <figcaption>${title}: ${figures.totals[figure]}</figcaption>
    </figure>`;
  });
  return html`<section aria-labelledby="totals-title">
      <h2 id="totals-title">${t('adminTotals')}</h2>
      ${figures.truncated ? html`<p class="alert alert-info">${t('adminTruncated')}</p>` : ''}
      <dl id="totals" class="totals">
        ${FIGURES.map(
          (figure) =>
            html`<div>
              <dt>${t(`adminFigure_${figure}`)}</dt>
              <dd data-figure="${figure}">${figures.totals[figure]}</dd>
            </div>`,
        )}
        <div>
          <dt>${t('adminConversionShort')}</dt>
          <dd data-figure="conversion">
            ${ratioText(f, conversion(figures.totals.issued, figures.totals.validated))}
          </dd>
        </div>
      </dl>
    </section>
    <section aria-labelledby="hourly-title">
      <h2 id="hourly-title">${t('adminPerHour')}</h2>
      <div class="charts">${charts}${conversionChart(f, figures, labels)}</div>
      ${hourTable(f, figures, labels)}
    </section>`;
}

function conversionChart(f: Format, figures: AuditFigures, labels: string[]): SafeHtml {
  const { t } = f;
  const overall = conversion(figures.totals.issued, figures.totals.validated);
  return html`<figure class="chart-box">
    ${ratioChart({
      id: 'chart-conversion',
      title: t('adminConversion'),
      desc: t('adminConversionDesc', ratioText(f, overall)),
      labels,
      values: figures.hours.map((h) => conversion(h.counts.issued, h.counts.validated)),
      percent: f.percent,
    })}
    <figcaption>${t('adminConversion')}: ${ratioText(f, overall)}</figcaption>
  </figure>`;
}

/** Every hour's numbers: the charts' text equivalent. */
function hourTable(f: Format, figures: AuditFigures, labels: string[]): SafeHtml {
  const { t } = f;
  const rows = figures.hours.map(
    (h, i) =>
      html`<tr>
        <th scope="row">${labels[i]}</th>
        ${FIGURES.map((figure) => html`<td>${h.counts[figure]}</td>`)}
        <td>${ratioText(f, conversion(h.counts.issued, h.counts.validated))}</td>
      </tr>`,
  );
  return html`<details class="hour-table">
    <summary>${t('adminHourTable')}</summary>
    <div class="table-scroll" role="region" aria-labelledby="hour-table-caption" tabindex="0">
      <table id="hour-table">
        <caption id="hour-table-caption">
          ${t('adminHourTable')}
        </caption>
        <thead>
          <tr>
            <th scope="col">${t('adminHour')}</th>
            ${FIGURES.map((figure) => html`<th scope="col">${t(`adminFigure_${figure}`)}</th>`)}
            <th scope="col">${t('adminConversionShort')}</th>
          </tr>
        </thead>
        <tbody>
          ${rows}
        </tbody>
      </table>
    </div>
  </details>`;
}

/** Codes issued and validated per destination (calling code, email, none). */
export function destinationsSection(f: Format, rows: readonly DestinationFigures[]): SafeHtml {
  const { t } = f;
  const body = rows.length
    ? html`<div
        class="table-scroll"
        role="region"
        aria-labelledby="destinations-title"
        tabindex="0"
      >
        <table id="destinations">
          <thead>
            <tr>
              <th scope="col">${t('adminDestination')}</th>
              <th scope="col">${t('adminRegions')}</th>
              <th scope="col">${t('adminFigure_issued')}</th>
              <th scope="col">${t('adminFigure_validated')}</th>
              <th scope="col">${t('adminConversionShort')}</th>
            </tr>
          </thead>
          <tbody>
            ${rows.map(
              (r) =>
                html`<tr>
                  <th scope="row">${destinationName(t, r.destination)}</th>
                  <td>${regionsText(t, r.destination)}</td>
                  <td>${r.issued}</td>
                  <td>${r.validated}</td>
                  <td>${ratioText(f, conversion(r.issued, r.validated))}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </div>`
    : html`<p>${t('adminNoEvents')}</p>`;
  return html`<section aria-labelledby="destinations-title">
    <h2 id="destinations-title">${t('adminDestinations')}</h2>
    <p class="helper">${t('adminDestinationsNote')}</p>
    ${body}
  </section>`;
}

function destinationName(t: Translate, destination: string): string {
  return destination === 'email'
    ? t('adminDestinationEmail')
    : destination === 'none'
      ? t('adminDestinationNone')
      : destination;
}

function regionsText(t: Translate, destination: string): string {
  const regions = /^\+\d+$/.test(destination) ? regionsOfCallingCode(destination.slice(1)) : [];
  return regions.length > 4 ? t('adminRegionsMany', regions.length) : regions.join(', ') || '—';
}

function ratioText(f: Format, ratio: number | undefined): string {
  return ratio === undefined ? '—' : f.percent(ratio);
}
