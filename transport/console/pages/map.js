import { html, useState } from '../vendor/htm-preact-standalone.js';
import { api, query } from '../api.js';
import { t, tk, fmt } from '../i18n.js';
import { Page, useLoad, ErrorNote, Loading, Field, categories } from '../ui.js';
import { MapCanvas, ringPoints } from '../hexmap.js';

// level classes a cell by its open demand against the suppliers that
// could serve it: the colour of its hexagon.
export function level(p) {
  if (!p.open) return 'none';
  if (!p.suppliers) return 'uncovered';
  return p.open > p.suppliers ? 'tight' : 'covered';
}

const levels = ['none', 'covered', 'tight', 'uncovered'];
const flags = ['gap', 'duplicate', 'strained'];
const glyph = { gap: '×', duplicate: '=', strained: '!' };

// MapPage is the coverage map of the caller's scope: hexagons from the
// server's GeoJSON, coloured by demand against supply, flagged cells
// marked, a side panel for the cell chosen.
export function MapPage() {
  const [resolution, setResolution] = useState(8);
  const [category, setCategory] = useState('');
  const [cell, setCell] = useState('');
  const { data, error, loading } = useLoad(async () => {
    const [geo, report] = await Promise.all([
      api('GET', '/v1/coverage' + query({ resolution, category, format: 'geojson' })),
      api('GET', '/v1/coverage' + query({ resolution, category })),
    ]);
    return { geo, report };
  }, [resolution, category]);
  const features = data ? data.geo.features : [];
  const coords = features.flatMap((f) => f.geometry.coordinates[0]);
  const counts = { cells: features.length };
  for (const f of flags) counts[f] = features.filter((x) => (x.properties.flags || []).includes(f)).length;

  const draw = (project) => features.map((f) => {
    const p = f.properties;
    const ring = f.geometry.coordinates[0];
    const pts = ring.map(project);
    const cx = pts.reduce((a, q) => a + q[0], 0) / pts.length, cy = pts.reduce((a, q) => a + q[1], 0) / pts.length;
    const fl = p.flags || [];
    const name = t('map.cellLabel', { cell: p.cell, open: fmt.number(p.open), suppliers: fmt.number(p.suppliers) })
      + (fl.length ? ' — ' + fl.map((x) => t('flag.' + x)).join(', ') : '');
    const choose = () => setCell(p.cell);
    return html`<g class=${'cell lv-' + level(p) + (p.cell === cell ? ' chosen' : '')} data-cell=${p.cell} data-flags=${fl.join(' ')}
        role="button" tabindex="0" aria-label=${name} aria-pressed=${p.cell === cell ? 'true' : 'false'}
        onClick=${choose} onKeyDown=${(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); choose(); } }}>
      <polygon points=${ringPoints(ring, project)} vector-effect="non-scaling-stroke" />
      ${fl.map((x) => html`<polygon class=${'flag flag-' + x} points=${ringPoints(ring, project)} vector-effect="non-scaling-stroke" />`)}
      ${fl.length > 0 && html`<text x=${cx} y=${cy} class="glyph" aria-hidden="true">${fl.map((x) => glyph[x]).join('')}</text>`}
      <title>${name}</title>
    </g>`;
  });

  return html`<${Page} id="map" title=${t('nav.map')} busy=${loading}>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <${Field} label=${t('map.resolution')} id="map-resolution">
        <select id="map-resolution" value=${resolution} onChange=${(e) => { setResolution(+e.target.value); setCell(''); }}>
          ${[7, 8, 9].map((r) => html`<option value=${r}>${t('map.res' + r)}</option>`)}
        </select>
      <//>
      <${Field} label=${t('field.category')} id="map-category">
        <select id="map-category" value=${category} onChange=${(e) => setCategory(e.target.value)}>
          <option value="">${t('filter.all')}</option>
          ${categories.map((c) => html`<option value=${c}>${tk('category', c)}</option>`)}
        </select>
      <//>
    </form>
    <${ErrorNote} error=${error} />
    <${Loading} when=${loading && !data} />
    ${data && html`
      <p class="summary" role="status" data-cells=${counts.cells} data-gaps=${counts.gap} data-duplicates=${counts.duplicate} data-strained=${counts.strained}>
        ${t('map.summary', { cells: fmt.number(counts.cells), gaps: fmt.number(counts.gap), duplicates: fmt.number(counts.duplicate), strained: fmt.number(counts.strained) })}
      </p>
      <div class="split">
        <div class="grow">
          <${MapCanvas} label=${t('map.label')} coords=${coords} draw=${draw} />
          <${Legend} />
        </div>
        <${CellPanel} cell=${cell} report=${data.report} />
      </div>`}
  <//>`;
}

function Legend() {
  return html`<div class="legend" aria-label=${t('map.legend')} role="group">
    <strong>${t('map.legend')}</strong>
    <ul>
      ${levels.map((l) => html`<li><svg width="18" height="14" aria-hidden="true"><rect class=${'swatch lv-' + l} width="18" height="14" /></svg>${t('level.' + l)}</li>`)}
      ${flags.map((f) => html`<li><svg width="18" height="14" aria-hidden="true"><rect class=${'swatch flag-' + f} width="18" height="14" /></svg><span aria-hidden="true">${glyph[f]}</span> ${t('flag.' + f)}</li>`)}
    </ul>
  </div>`;
}

// CellPanel is what the coverage report says of one cell: its demand by
// category, the programmes covering it with their duplicate pairs, and
// the nearest supply of its gaps.
function CellPanel({ cell, report }) {
  if (!cell) return html`<aside class="panel" aria-label=${t('map.panel')}><p>${t('map.choose')}</p></aside>`;
  const items = report.items.filter((i) => i.cell === cell);
  const programmes = [...new Set(items.flatMap((i) => i.programmes || []))];
  const dups = (report.summary.duplicates || []).filter((d) => (d.cells || []).includes(cell));
  const gaps = (report.summary.gaps || []).filter((g) => g.cell === cell);
  const tips = (report.suggestions || []).filter((s) => s.cell === cell);
  return html`<aside class="panel" aria-label=${t('map.panel')} data-cell=${cell}>
    <h2>${t('map.cell')} <code>${cell}</code></h2>
    <h3>${t('map.demand')}</h3>
    ${items.length === 0 ? html`<p>${t('map.noDemand')}</p>` : html`<table>
      <thead><tr><th scope="col">${t('field.category')}</th><th scope="col">${t('map.open')}</th><th scope="col">${t('map.fulfilled')}</th><th scope="col">${t('map.residents')}</th><th scope="col">${t('map.suppliers')}</th></tr></thead>
      <tbody>${items.map((i) => html`<tr><th scope="row">${tk('category', i.category)}</th><td>${fmt.number(i.demand.open)}</td><td>${fmt.number(i.demand.fulfilled)}</td><td>${fmt.number(i.demand.residents)}</td><td>${fmt.number(i.supply.suppliers)}</td></tr>`)}</tbody>
    </table>`}
    <h3>${t('map.programmes')}</h3>
    ${programmes.length === 0 ? html`<p>${t('map.noProgrammes')}</p>` : html`<ul>${programmes.map((p) => html`<li><code>${p}</code></li>`)}</ul>`}
    ${dups.length > 0 && html`<h3>${t('map.duplicates')}</h3><ul>${dups.map((d) => html`<li>${d.programmes.join(' ↔ ')} (${(d.departments || []).join(' / ')}, ${tk('category', d.category)}) — ${t('map.overlapBudget')} ${fmt.money(d.overlap_budget)}</li>`)}</ul>`}
    <h3>${t('map.nearest')}</h3>
    ${gaps.length === 0 ? html`<p>${t('map.noGap')}</p>` : html`<ul>${gaps.map((g) => html`<li>${tk('category', g.category)}: ${g.nearest_supply
      ? t('map.nearestIs', { kind: tk('party', g.nearest_supply.kind), id: g.nearest_supply.id, minutes: fmt.minutes(g.nearest_supply.walk_minutes) })
      : t('map.nearestNone')}</li>`)}</ul>`}
    ${tips.length > 0 && html`<h3>${t('map.suggestions')}</h3><ul>${tips.map((s) => html`<li>${s.text}</li>`)}</ul>`}
  </aside>`;
}
