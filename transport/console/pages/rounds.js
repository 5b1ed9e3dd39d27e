import { html, useState, useEffect } from '../vendor/htm-preact-standalone.js';
import { api, allPages } from '../api.js';
import { t, tk, fmt } from '../i18n.js';
import { Page, useLoad, ErrorNote, categories } from '../ui.js';
import { MapCanvas } from '../hexmap.js';

const can = (me, r) => me.routes.includes(r);

// RoundsPage starts matching rounds (dry or real), follows one while it
// runs, and shows its proposals on a map and in a table, why each
// unmatched wish stayed unmatched, and the approval.
export function RoundsPage({ me, arg }) {
  const runs = useLoad(() => api('GET', '/v1/match-runs?limit=20'), []);
  const [dry, setDry] = useState(true);
  const [cats, setCats] = useState([]);
  const [error, setError] = useState(null);
  const start = async (e) => {
    e.preventDefault();
    try {
      const run = await api('POST', '/v1/match-runs', { dry_run: dry, categories: cats.length ? cats : undefined });
      location.hash = '#/rounds/' + run.id;
      runs.reload();
    } catch (err) { setError(err); }
  };
  return html`<${Page} id="rounds" title=${t('nav.rounds')} busy=${runs.loading}>
    <form class="card" onSubmit=${start} aria-labelledby="start-h">
      <h2 id="start-h">${t('rounds.start')}</h2>
      <label class="inline"><input type="checkbox" id="dry-run" checked=${dry} onChange=${(e) => setDry(e.target.checked)} /> ${t('rounds.dryRun')}</label>
      <fieldset><legend>${t('rounds.categories')}</legend>
        ${categories.map((c) => html`<label class="inline"><input type="checkbox" checked=${cats.includes(c)}
          onChange=${(e) => setCats(e.target.checked ? [...cats, c] : cats.filter((x) => x !== c))} /> ${tk('category', c)}</label>`)}
      </fieldset>
      <${ErrorNote} error=${error} />
      <button type="submit" id="start-round">${dry ? t('rounds.startDry') : t('rounds.startReal')}</button>
    </form>
    <${ErrorNote} error=${runs.error} />
    ${arg && html`<${Round} key=${arg} id=${arg} me=${me} onChange=${runs.reload} />`}
    ${runs.data && html`<table class="list" tabindex="0">
      <caption>${t('rounds.past')}</caption>
      <thead><tr><th scope="col">${t('rounds.id')}</th><th scope="col">${t('field.status')}</th><th scope="col">${t('rounds.kind')}</th><th scope="col">${t('rounds.when')}</th></tr></thead>
      <tbody>${runs.data.items.map((r) => html`<tr>
        <th scope="row"><a href=${'#/rounds/' + r.id}>${r.id}</a></th><td>${tk('run', r.status)}</td>
        <td>${r.dry_run ? t('rounds.dry') : t('rounds.real')}</td><td>${fmt.dateTime(r.created_at)}</td></tr>`)}</tbody>
    </table>`}
  <//>`;
}

// Round follows one round until it is done.
function Round({ id, me, onChange }) {
  const [run, setRun] = useState(null);
  const [error, setError] = useState(null);
  const [approving, setApproving] = useState(false);
  useEffect(() => {
    let live = true, timer = 0;
    const poll = async () => {
      try {
        const r = await api('GET', '/v1/match-runs/' + encodeURIComponent(id));
        if (!live) return;
        setRun(r);
        if (r.status === 'running') timer = setTimeout(poll, 250);
        else onChange();
      } catch (e) { if (live) setError(e); }
    };
    poll();
    return () => { live = false; clearTimeout(timer); };
  }, [id]);
  const approve = async () => {
    setApproving(true);
    try {
      setRun(await api('POST', '/v1/match-runs/' + encodeURIComponent(id) + '/approve'));
    } catch (e) { setError(e); }
    setApproving(false);
  };
  if (error) return html`<${ErrorNote} error=${error} />`;
  if (!run) return null;
  const p = run.progress;
  return html`<section class="card" aria-labelledby="run-h" data-run=${run.id} data-status=${run.status}>
    <h2 id="run-h">${t('rounds.round')} <code>${run.id}</code> — ${tk('run', run.status)} ${run.dry_run ? '(' + t('rounds.dry') + ')' : ''}</h2>
    ${run.status === 'running' && p && html`<p role="status"><label for="run-progress">${tk('phase', p.phase)}</label>
      <progress id="run-progress" max=${p.total || 1} value=${p.done}>${p.done}/${p.total}</progress> ${fmt.number(p.done)} / ${fmt.number(p.total)}</p>`}
    ${run.error && html`<p class="error" role="alert">${run.error}</p>`}
    ${run.stats && html`<p class="summary">${t('rounds.stats', { wishes: fmt.number(run.stats.wishes), matched: fmt.number(run.stats.matched),
      unmatched: fmt.number(run.stats.unmatched), mean: fmt.minutes(run.stats.mean_walk_minutes) })}</p>`}
    ${run.status === 'done' && !run.dry_run && !run.approval && can(me, 'POST /v1/match-runs/{id}/approve') && html`<p>
      <button type="button" onClick=${approve} disabled=${approving}>${t('rounds.approve')}</button></p>`}
    ${run.approval && html`<p class="ok" role="status">${t('rounds.approved', { n: fmt.number(run.approval.offered), at: fmt.dateTime(run.approval.at) })}</p>`}
    ${run.status === 'done' && html`<${ProposalMap} run=${run} />`}
    ${run.status === 'done' && html`<table class="list" tabindex="0" id="proposals" data-rows=${run.proposals.length}>
      <caption>${t('rounds.proposals', { n: fmt.number(run.proposals.length) })}</caption>
      <thead><tr><th scope="col">${t('rounds.wish')}</th><th scope="col">${t('field.category')}</th><th scope="col">${t('rounds.supplier')}</th><th scope="col">${t('field.walk')}</th></tr></thead>
      <tbody>${run.proposals.map((x) => html`<tr data-wish=${x.wish_id}><th scope="row"><a href=${'#/wishes/' + x.wish_id}>${x.wish_id}</a></th>
        <td>${tk('category', x.category)}</td><td>${tk('party', x.supplier.kind)} ${x.supplier.id}</td>
        <td>${fmt.minutes(x.walk_minutes)}${x.beyond_circle ? ' ' + t('rounds.beyond') : ''}</td></tr>`)}</tbody>
    </table>`}
    ${run.status === 'done' && run.unmatched.length > 0 && html`<table class="list" tabindex="0" id="unmatched" data-rows=${run.unmatched.length}>
      <caption>${t('rounds.unmatched', { n: fmt.number(run.unmatched.length) })}</caption>
      <thead><tr><th scope="col">${t('rounds.wish')}</th><th scope="col">${t('rounds.reason')}</th><th scope="col">${t('rounds.excluded')}</th><th scope="col">${t('rounds.circle')}</th></tr></thead>
      <tbody>${run.unmatched.map((u) => html`<tr data-wish=${u.wish_id}><th scope="row">${u.wish_id}</th>
        <td>${tk('reason', u.reason)}<br /><small>${u.message}</small></td>
        <td>${Object.entries(u.excluded || {}).map(([rule, n]) => html`<div><code>${rule}</code> × ${fmt.number(n)}</div>`)}
          ${u.busy ? html`<div>${t('rounds.busy', { n: fmt.number(u.busy) })}</div>` : ''}</td>
        <td>${fmt.minutes(u.circle_minutes)}</td></tr>`)}</tbody>
    </table>`}
  </section>`;
}

// ProposalMap draws the round's wishes and the suppliers proposed for
// them, joined by a line; unmatched wishes are hollow.
function ProposalMap({ run }) {
  const places = useLoad(async () => {
    const [wishes, volunteers, organisations, enterprises] = await Promise.all([
      allPages('/v1/wishes', { status: 'open' }),
      allPages('/v1/volunteers').catch(() => []),
      allPages('/v1/organisations').catch(() => []),
      allPages('/v1/enterprises').catch(() => []),
    ]);
    const at = {};
    for (const w of wishes) if (w.location) at['wish:' + w.id] = w.location;
    for (const [kind, list] of [['volunteer', volunteers], ['organisation', organisations], ['enterprise', enterprises]]) {
      for (const x of list) if (x.location) at[kind + ':' + x.id] = x.location;
    }
    return at;
  }, [run.id]);
  if (!places.data) return null;
  const at = places.data;
  const ll = (l) => [l.lng, l.lat];
  const lines = run.proposals.map((p) => ({ w: at['wish:' + p.wish_id], s: at[p.supplier.kind + ':' + p.supplier.id] })).filter((x) => x.w);
  const lonely = run.unmatched.map((u) => at['wish:' + u.wish_id]).filter(Boolean);
  const coords = [...lines.flatMap((x) => (x.s ? [ll(x.w), ll(x.s)] : [ll(x.w)])), ...lonely.map(ll)];
  if (coords.length === 0) return null;
  const draw = (project) => html`
    ${lines.map((x) => {
      const [wx, wy] = project(ll(x.w));
      if (!x.s) return html`<circle class="pt-wish" cx=${wx} cy=${wy} r="5" />`;
      const [sx, sy] = project(ll(x.s));
      return html`<g class="proposal"><line x1=${wx} y1=${wy} x2=${sx} y2=${sy} vector-effect="non-scaling-stroke" />
        <circle class="pt-wish" cx=${wx} cy=${wy} r="5" /><rect class="pt-supplier" x=${sx - 4} y=${sy - 4} width="8" height="8" /></g>`;
    })}
    ${lonely.map((w) => { const [x, y] = project(ll(w)); return html`<circle class="pt-unmatched" cx=${x} cy=${y} r="5" vector-effect="non-scaling-stroke" />`; })}`;
  return html`<figure class="proposal-map">
    <${MapCanvas} label=${t('rounds.map')} coords=${coords} draw=${draw} />
    <figcaption>${t('rounds.mapLegend')}</figcaption>
  </figure>`;
}
