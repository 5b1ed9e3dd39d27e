// Charts drawn on SVG: grouped bars over weeks, and stacked bars of
// rating distributions. Each comes with a table of its numbers.
import { html } from './vendor/htm-preact-standalone.js';
import { fmt } from './i18n.js';

// Bars draws groups (one per label) of bars (one per series).
export function Bars({ label, labels, series }) {
  const W = 760, H = 260, L = 40, B = 28, T = 10;
  const top = Math.max(1, ...series.flatMap((s) => s.values));
  const step = (W - L) / Math.max(1, labels.length);
  const bw = Math.max(2, (step - 6) / series.length);
  const y = (v) => H - B - (v / top) * (H - B - T);
  const ticks = [0, 0.5, 1].map((f) => Math.round(top * f));
  return html`<svg class="chart" viewBox=${`0 0 ${W} ${H}`} role="img" aria-label=${label}>
    ${ticks.map((v) => html`<g class="tick"><line x1=${L} x2=${W} y1=${y(v)} y2=${y(v)} /><text x=${L - 6} y=${y(v) + 4} text-anchor="end">${fmt.number(v)}</text></g>`)}
    ${labels.map((lab, i) => html`<g>
      ${series.map((s, j) => html`<rect class=${'bar ' + s.cls} x=${L + i * step + 3 + j * bw} y=${y(s.values[i])} width=${bw - 1} height=${H - B - y(s.values[i])}><title>${lab}: ${s.name} ${fmt.number(s.values[i])}</title></rect>`)}
      ${(labels.length <= 16 || i % 2 === 0) && html`<text class="axis" x=${L + i * step + step / 2} y=${H - 8} text-anchor="middle">${lab}</text>`}
    </g>`)}
  </svg>`;
}

// Stacked draws one horizontal bar per row, split by shares of parts.
export function Stacked({ label, rows, parts }) {
  const W = 760, RH = 26, L = 220, R = 60;
  const H = rows.length * RH + 8;
  return html`<svg class="chart" viewBox=${`0 0 ${W} ${H}`} role="img" aria-label=${label}>
    ${rows.map((r, i) => {
      const total = parts.reduce((a, p) => a + (r.counts[p.key] || 0), 0) || 1;
      let x = L;
      return html`<g transform=${`translate(0 ${4 + i * RH})`}>
        <text x=${L - 8} y="16" text-anchor="end" class="axis">${r.label}</text>
        ${parts.map((p) => {
          const w = ((r.counts[p.key] || 0) / total) * (W - L - R);
          const at = x;
          x += w;
          return w > 0 ? html`<rect class=${'bar ' + p.cls} x=${at} y="3" width=${w} height=${RH - 8}><title>${r.label}: ${p.name} ${fmt.number(r.counts[p.key])}</title></rect>` : null;
        })}
        <text x=${W - R + 6} y="16" class="axis">${r.note}</text>
      </g>`;
    })}
  </svg>`;
}
