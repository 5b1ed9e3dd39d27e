// A map drawn on SVG with a simple projection: longitude scaled by the
// cosine of the middle latitude, no tiles. It takes polygons (GeoJSON
// rings of [lng, lat]) and points, and offers zoom and pan by buttons,
// wheel, drag and the keyboard.
import { html, useState, useRef } from './vendor/htm-preact-standalone.js';
import { t } from './i18n.js';

const W = 800, H = 560, PAD = 16;

// projection returns a function from [lng, lat] to [x, y] that fits
// every coordinate of coords into the map.
export function projection(coords) {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (const [lng, lat] of coords) {
    minX = Math.min(minX, lng); maxX = Math.max(maxX, lng);
    minY = Math.min(minY, lat); maxY = Math.max(maxY, lat);
  }
  if (!Number.isFinite(minX)) return () => [W / 2, H / 2];
  const k = Math.cos(((minY + maxY) / 2) * Math.PI / 180);
  const spanX = Math.max((maxX - minX) * k, 1e-6), spanY = Math.max(maxY - minY, 1e-6);
  const s = Math.min((W - 2 * PAD) / spanX, (H - 2 * PAD) / spanY);
  const ox = (W - spanX * s) / 2, oy = (H - spanY * s) / 2;
  return ([lng, lat]) => [ox + (lng - minX) * k * s, oy + (maxY - lat) * s];
}

// MapCanvas draws its children (made by draw(project)) inside a zoomable,
// pannable SVG.
export function MapCanvas({ label, coords, draw }) {
  const [view, setView] = useState({ x: 0, y: 0, k: 1 });
  const drag = useRef(null);
  const project = projection(coords);
  const zoom = (f, cx = W / 2, cy = H / 2) => setView((v) => {
    const k = Math.min(16, Math.max(1, v.k * f));
    return { k, x: cx - (cx - v.x) * (k / v.k), y: cy - (cy - v.y) * (k / v.k) };
  });
  const pan = (dx, dy) => setView((v) => ({ ...v, x: v.x + dx, y: v.y + dy }));
  const onKey = (e) => {
    const step = 40;
    const keys = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (keys[e.key]) { pan(...keys[e.key]); e.preventDefault(); }
    if (e.key === '+' || e.key === '=') { zoom(1.5); e.preventDefault(); }
    if (e.key === '-') { zoom(1 / 1.5); e.preventDefault(); }
    if (e.key === '0') { setView({ x: 0, y: 0, k: 1 }); e.preventDefault(); }
  };
  const svgPoint = (e) => {
    const r = e.currentTarget.getBoundingClientRect();
    return [(e.clientX - r.left) * (W / r.width), (e.clientY - r.top) * (H / r.height)];
  };
  return html`<div class="map">
    <div class="map-tools" role="group" aria-label=${t('map.zoom')}>
      <button type="button" onClick=${() => zoom(1.5)} aria-label=${t('map.zoomIn')}>+</button>
      <button type="button" onClick=${() => zoom(1 / 1.5)} aria-label=${t('map.zoomOut')}>−</button>
      <button type="button" onClick=${() => setView({ x: 0, y: 0, k: 1 })}>${t('map.reset')}</button>
    </div>
    <svg viewBox=${`0 0 ${W} ${H}`} role="group" aria-label=${label + ' — ' + t('map.keys')} tabindex="0" onKeyDown=${onKey}
      onWheel=${(e) => { e.preventDefault(); zoom(e.deltaY < 0 ? 1.25 : 0.8, ...svgPoint(e)); }}
      onPointerDown=${(e) => { drag.current = svgPoint(e); }}
      onPointerMove=${(e) => {
        if (!drag.current || e.buttons !== 1) return;
        const p = svgPoint(e);
        pan(p[0] - drag.current[0], p[1] - drag.current[1]);
        drag.current = p;
      }}
      onPointerUp=${() => { drag.current = null; }}>
      <rect class="map-bg" width=${W} height=${H} />
      <g transform=${`translate(${view.x} ${view.y}) scale(${view.k})`}>${draw(project, view.k)}</g>
    </svg>
  </div>`;
}

// ringPoints writes a GeoJSON ring as SVG points.
export function ringPoints(ring, project) {
  return ring.map((c) => project(c).map((v) => v.toFixed(1)).join(',')).join(' ');
}
