import { html, useState } from '../vendor/htm-preact-standalone.js';
import { api, allPages, download } from '../api.js';
import { t, tk, fmt } from '../i18n.js';
import { Page, useLoad, ErrorNote, Loading } from '../ui.js';

const can = (me, r) => me.routes.includes(r);

// ProgrammesPage is the purchase catalogue: every programme, one's
// evaluation (satisfaction first), the duplicate pairs and the purchase
// suggestions, with CSV exports.
export function ProgrammesPage({ me, arg }) {
  const list = useLoad(() => allPages('/v1/programmes'), []);
  const coverage = useLoad(() => (can(me, 'GET /v1/coverage') ? api('GET', '/v1/coverage?resolution=8') : null), []);
  const [error, setError] = useState(null);
  const exportCSV = (path, name) => download(path, name).catch(setError);
  const items = list.data || [];
  return html`<${Page} id="programmes" title=${t('nav.programmes')} busy=${list.loading || coverage.loading}>
    <p class="exports">
      <button type="button" onClick=${() => exportCSV('/v1/programmes?format=csv', 'programmes.csv')}>${t('prog.exportList')}</button>
      ${can(me, 'GET /v1/coverage') && html`<button type="button" onClick=${() => exportCSV('/v1/coverage?resolution=8&format=csv', 'coverage.csv')}>${t('prog.exportCoverage')}</button>`}
    </p>
    <${ErrorNote} error=${list.error || error} />
    <div class="split">
      <div class="grow">
        <table class="list" tabindex="0" data-rows=${items.length}>
          <caption>${t('prog.catalogue', { n: fmt.number(items.length) })}</caption>
          <thead><tr><th scope="col">${t('prog.name')}</th><th scope="col">${t('prog.department')}</th><th scope="col">${t('field.category')}</th>
            <th scope="col">${t('prog.budget')}</th><th scope="col">${t('prog.period')}</th><th scope="col">${t('prog.output')}</th></tr></thead>
          <tbody>${items.map((p) => html`<tr data-programme=${p.id} class=${arg === p.id ? 'chosen' : ''}>
            <th scope="row"><a href=${'#/programmes/' + encodeURIComponent(p.id)}>${p.name || p.id}</a></th>
            <td>${p.department}</td><td>${tk('category', p.category)}</td><td>${fmt.money(p.budget)}</td>
            <td>${fmt.date(p.starts_at)} – ${fmt.date(p.ends_at)}</td>
            <td>${p.output ? fmt.number(p.output.quantity) + ' ' + tk('unit', p.output.unit) : '–'}</td></tr>`)}</tbody>
        </table>
        ${coverage.data && html`<${Duplicates} report=${coverage.data} />`}
      </div>
      ${arg && html`<${Evaluation} key=${arg} id=${arg} onError=${setError} />`}
    </div>
  <//>`;
}

function Evaluation({ id, onError }) {
  const ev = useLoad(() => api('GET', '/v1/programmes/' + encodeURIComponent(id) + '/evaluation'), [id]);
  if (ev.error) return html`<aside class="panel"><${ErrorNote} error=${ev.error} /></aside>`;
  if (!ev.data) return html`<aside class="panel"><${Loading} when=${true} /></aside>`;
  const e = ev.data, s = e.satisfaction || { distribution: {} };
  const top = Math.max(1, ...Object.values(s.distribution || {}));
  return html`<aside class="panel" aria-label=${t('prog.evaluation')} data-programme=${id}>
    <h2>${t('prog.evaluation')}</h2>
    <section aria-labelledby="sat-h"><h3 id="sat-h">${t('prog.satisfaction')}</h3>
      <p class="big">${fmt.number(s.mean, 2)} ★ <small>${t('prog.ratings', { n: fmt.number(s.count) })}</small></p>
      <ul class="dist">${[5, 4, 3, 2, 1].map((n) => html`<li><span>${t('stats.stars', { n })}</span>
        <meter min="0" max=${top} value=${(s.distribution || {})[n] || 0} aria-label=${t('stats.stars', { n })}></meter> ${fmt.number((s.distribution || {})[n])}</li>`)}</ul>
    </section>
    <dl class="facts">
      <dt>${t('prog.provider')}</dt><dd>${e.provider ? tk('party', e.provider.kind) + ' ' + e.provider.id : '–'}</dd>
      ${Object.entries(e.wishes || {}).map(([k, v]) => html`<dt>${tk('status', k)}</dt><dd>${fmt.number(v)}</dd>`)}
      <dt>${t('prog.claimTime')}</dt><dd>${fmt.hours(e.time_to_claim_hours && e.time_to_claim_hours.median)} / p90 ${fmt.hours(e.time_to_claim_hours && e.time_to_claim_hours.p90)}</dd>
      <dt>${t('prog.fulfilTime')}</dt><dd>${fmt.hours(e.time_to_fulfil_hours && e.time_to_fulfil_hours.median)} / p90 ${fmt.hours(e.time_to_fulfil_hours && e.time_to_fulfil_hours.p90)}</dd>
      <dt>${t('prog.hours')}</dt><dd>${fmt.hours(e.hours)}</dd>
      <dt>${t('prog.costPerConfirmed')}</dt><dd>${fmt.money(e.cost_per_confirmed)}</dd>
      <dt>${t('prog.score')}</dt><dd>${fmt.number(e.score, 2)}</dd>
    </dl>
    <button type="button" onClick=${() => download('/v1/programmes/' + encodeURIComponent(id) + '/evaluation?format=csv', id + '-evaluation.csv').catch(onError)}>${t('prog.exportEvaluation')}</button>
  </aside>`;
}

function Duplicates({ report }) {
  const dups = report.summary.duplicates || [];
  const tips = report.suggestions || [];
  return html`<section aria-labelledby="dup-h">
    <h2 id="dup-h">${t('prog.duplicates', { n: fmt.number(dups.length) })}</h2>
    ${dups.length === 0 ? html`<p>${t('prog.noDuplicates')}</p>` : html`<table class="list" tabindex="0" aria-labelledby="dup-h">
      <thead><tr><th scope="col">${t('prog.pair')}</th><th scope="col">${t('prog.department')}</th><th scope="col">${t('field.category')}</th><th scope="col">${t('prog.cells')}</th><th scope="col">${t('map.overlapBudget')}</th></tr></thead>
      <tbody>${dups.map((d) => html`<tr><th scope="row">${d.programmes.join(' ↔ ')}</th><td>${(d.departments || []).join(' / ')}</td>
        <td>${tk('category', d.category)}</td><td>${fmt.number((d.cells || []).length)}</td><td>${fmt.money(d.overlap_budget)}</td></tr>`)}</tbody></table>`}
    <h2>${t('prog.suggestions', { n: fmt.number(tips.length) })}</h2>
    <ul>${tips.map((s) => html`<li><span class=${'badge fl-' + s.kind}>${t('flag.' + s.kind)}</span> ${tk('category', s.category)} <code>${s.cell}</code>: ${s.text}</li>`)}</ul>
  </section>`;
}
