import { html, type SafeHtml } from '../html.js';
import type { Translate } from '../i18n.js';
import type { ReferenceFigures } from './reference-figures.js';

/** The reference API's figures now, or the notice that it could not be reached. */
export function referenceSection(t: Translate, figures: ReferenceFigures | undefined): SafeHtml {
  return html`<section id="reference" aria-labelledby="reference-title">
    <h2 id="reference-title">${t('adminReference')}</h2>
    ${figures ? referenceTables(t, figures) : html`<div id="reference-unreachable" class="alert alert-danger" role="status"><p>${t('adminReferenceUnreachable')}</p></div>`}
  </section>`;
}

function referenceTables(t: Translate, figures: ReferenceFigures): SafeHtml {
  return html`${table(
      'sends',
      t('adminSends'),
      [t('adminProvider'), t('adminOutcome'), t('adminCount')],
      figures.sends.map((s) => [s.provider, s.outcome, String(s.count)]),
      t,
    )}
    ${table(
      'queue',
      t('adminQueue'),
      [t('adminQueueState'), t('adminJobs')],
      figures.queue.map((q) => [q.state, String(q.jobs)]),
      t,
    )}
    <p id="oldest-waiting">
      ${t('adminOldestWaiting', figures.oldestWaitingSeconds === undefined ? '—' : figures.oldestWaitingSeconds.toFixed(1))}
    </p>
    ${table(
      'breakers',
      t('adminBreakers'),
      [t('adminProvider'), t('adminBreakerState')],
      figures.breakers.map((b) => [
        b.provider,
        t(b.open ? 'adminBreakerOpen' : 'adminBreakerClosed'),
      ]),
      t,
    )}`;
}

/** A small table whose first column heads each row; "none yet" when it has no rows. */
function table(
  id: string,
  caption: string,
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  t: Translate,
): SafeHtml {
  if (rows.length === 0) {
    return html`<h3>${caption}</h3>
      <p id="${id}">${t('adminNone')}</p>`;
  }
  return html`<table id="${id}" class="small-table">
    <caption>
      ${caption}
    </caption>
    <thead>
      <tr>
        ${headers.map((h) => html`<th scope="col">${h}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        ([head, ...cells]) =>
          html`<tr>
            <th scope="row">${head}</th>
            ${cells.map((c) => html`<td>${c}</td>`)}
          </tr>`,
      )}
    </tbody>
  </table>`;
}
