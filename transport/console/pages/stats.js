import { html } from '../vendor/htm-preact-standalone.js';
import { api } from '../api.js';
import { t, tk, fmt } from '../i18n.js';
import { Page, useLoad, ErrorNote } from '../ui.js';
import { Bars, Stacked } from '../charts.js';

// StatsPage draws the wishes opened, claimed and fulfilled each week, and
// how residents rated each provider.
export function StatsPage({ me }) {
  const weekly = useLoad(() => api('GET', '/v1/stats/weekly?weeks=12'), []);
  const ratings = useLoad(() => (me.routes.includes('GET /v1/stats/ratings') ? api('GET', '/v1/stats/ratings') : null), []);
  const busy = weekly.loading || ratings.loading;
  const w = weekly.data ? weekly.data.weeks : [];
  const series = [
    { name: t('stats.created'), cls: 's-created', values: w.map((x) => x.created) },
    { name: t('stats.claimed'), cls: 's-claimed', values: w.map((x) => x.claimed) },
    { name: t('stats.fulfilled'), cls: 's-fulfilled', values: w.map((x) => x.fulfilled) },
  ];
  const parts = [1, 2, 3, 4, 5].map((n) => ({ key: String(n), name: t('stats.stars', { n }), cls: 'r' + n }));
  const providers = ratings.data ? ratings.data.providers : [];
  return html`<${Page} id="stats" title=${t('nav.stats')} busy=${busy}>
    <${ErrorNote} error=${weekly.error || ratings.error} />
    <section aria-labelledby="weekly-h">
      <h2 id="weekly-h">${t('stats.weekly')}</h2>
      <${Key} items=${series} />
      ${weekly.data && html`<${Bars} label=${t('stats.weekly')} labels=${w.map((x) => fmt.shortDate(x.start))} series=${series} />`}
      <details><summary>${t('stats.table')}</summary>
        <table class="list" tabindex="0" aria-labelledby="weekly-h"><thead><tr><th scope="col">${t('stats.week')}</th>${series.map((s) => html`<th scope="col">${s.name}</th>`)}</tr></thead>
          <tbody>${w.map((x) => html`<tr><th scope="row">${x.week} (${fmt.date(x.start)})</th><td>${fmt.number(x.created)}</td><td>${fmt.number(x.claimed)}</td><td>${fmt.number(x.fulfilled)}</td></tr>`)}</tbody>
        </table></details>
    </section>
    <section aria-labelledby="ratings-h">
      <h2 id="ratings-h">${t('stats.ratings')}</h2>
      ${ratings.data && providers.length === 0 && html`<p>${t('stats.noRatings')}</p>`}
      ${providers.length > 0 && html`<${Key} items=${parts} />
        <${Stacked} label=${t('stats.ratings')} parts=${parts} rows=${providers.map((p) => ({
          label: (p.name || tk('party', p.provider.kind) + ' ' + p.provider.id),
          counts: p.distribution, note: fmt.number(p.mean, 1) + ' ★' }))} />
        <details><summary>${t('stats.table')}</summary>
          <table class="list" tabindex="0" aria-labelledby="ratings-h"><thead><tr><th scope="col">${t('stats.provider')}</th><th scope="col">${t('stats.count')}</th><th scope="col">${t('stats.mean')}</th>${parts.map((p) => html`<th scope="col">${p.name}</th>`)}</tr></thead>
            <tbody>${providers.map((p) => html`<tr><th scope="row">${p.name || p.provider.id} (${tk('party', p.provider.kind)})</th><td>${fmt.number(p.count)}</td><td>${fmt.number(p.mean, 2)}</td>
              ${parts.map((x) => html`<td>${fmt.number(p.distribution[x.key])}</td>`)}</tr>`)}</tbody>
          </table></details>`}
    </section>
  <//>`;
}

function Key({ items }) {
  return html`<ul class="key">${items.map((s) => html`<li><svg width="14" height="14" aria-hidden="true"><rect class=${'bar ' + s.cls} width="14" height="14" /></svg> ${s.name}</li>`)}</ul>`;
}
