import { html, useState, useEffect, useRef } from '../vendor/htm-preact-standalone.js';
import { api, query, allPages } from '../api.js';
import { t, tk, fmt } from '../i18n.js';
import { Page, useLoad, ErrorNote, Loading, Field, categories, statuses, splitList } from '../ui.js';

const can = (me, r) => me.routes.includes(r);

// WishesPage is the wish board: filters, the list, one wish's history,
// and for social workers recording, confirming and cancelling. A
// supplier gets what the API gives it: open wishes in public form.
export function WishesPage({ me, arg }) {
  const [f, setF] = useState({ status: '', category: '', node: '', cell: '', due_before: '' });
  const [more, setMore] = useState([]);
  const [next, setNext] = useState('');
  const [adding, setAdding] = useState(false);
  const staff = can(me, 'GET /v1/residents') || can(me, 'GET /v1/volunteers');
  const dueBefore = f.due_before ? new Date(f.due_before + 'T23:59:59').toISOString() : '';
  const list = useLoad(async () => {
    const page = await api('GET', '/v1/wishes' + query({ ...f, due_before: dueBefore, limit: 50 }));
    setMore([]);
    setNext(page.next);
    return page.items;
  }, [f.status, f.category, f.node, f.cell, f.due_before]);
  const communities = useLoad(async () => (can(me, 'GET /v1/organisations')
    ? (await allPages('/v1/organisations')).filter((o) => o.kind === 'community' || o.kind === 'street') : []), []);
  const loadMore = async () => {
    const page = await api('GET', '/v1/wishes' + query({ ...f, due_before: dueBefore, limit: 50, after: next }));
    setMore((m) => [...m, ...page.items]);
    setNext(page.next);
  };
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  const items = list.data ? [...list.data, ...more] : [];
  const open = (id) => { location.hash = '#/wishes/' + encodeURIComponent(id); };

  return html`<${Page} id="wishes" title=${t('nav.wishes')} busy=${list.loading}>
    ${!staff && html`<p class="note">${t('wishes.publicNote')}</p>`}
    <form class="filters" onSubmit=${(e) => e.preventDefault()} aria-label=${t('filter.label')}>
      <${Field} label=${t('field.status')} id="f-status">
        <select id="f-status" value=${f.status} onChange=${set('status')}>
          <option value="">${t('filter.all')}</option>
          ${(staff ? statuses : ['open']).map((s) => html`<option value=${s}>${tk('status', s)}</option>`)}
        </select><//>
      <${Field} label=${t('field.category')} id="f-category">
        <select id="f-category" value=${f.category} onChange=${set('category')}>
          <option value="">${t('filter.all')}</option>
          ${categories.map((c) => html`<option value=${c}>${tk('category', c)}</option>`)}
        </select><//>
      ${staff && communities.data && communities.data.length > 0 && html`<${Field} label=${t('field.community')} id="f-node">
        <select id="f-node" value=${f.node} onChange=${set('node')}>
          <option value="">${t('filter.all')}</option>
          ${communities.data.map((o) => html`<option value=${o.id}>${tk('kind', o.kind)} · ${o.name}</option>`)}
        </select><//>`}
      <${Field} label=${t('field.cell')} id="f-cell">
        <input id="f-cell" value=${f.cell} onChange=${set('cell')} placeholder="8831aa5…" spellcheck="false" /><//>
      <${Field} label=${t('field.dueBefore')} id="f-due">
        <input id="f-due" type="date" value=${f.due_before} onChange=${set('due_before')} /><//>
    </form>
    ${can(me, 'POST /v1/wishes') && html`<p><button type="button" onClick=${() => setAdding(!adding)} aria-expanded=${adding ? 'true' : 'false'}>${t('wishes.record')}</button></p>`}
    ${adding && html`<${NewWish} onDone=${(w) => { setAdding(false); list.reload(); open(w.id); }} />`}
    <${ErrorNote} error=${list.error} />
    <div class="split">
      <div class="grow">
        <table class="list" tabindex="0" data-rows=${items.length}>
          <caption>${t('wishes.count', { n: fmt.number(items.length) })}</caption>
          <thead><tr>
            <th scope="col">${t('field.title')}</th><th scope="col">${t('field.category')}</th><th scope="col">${t('field.status')}</th>
            <th scope="col">${t('field.due')}</th><th scope="col">${t('field.cell')}</th>
            ${staff ? html`<th scope="col">${t('field.community')}</th>` : html`<th scope="col">${t('field.walk')}</th>`}
          </tr></thead>
          <tbody>${items.map((w) => html`<tr data-wish=${w.id} class=${arg === w.id ? 'chosen' : ''}>
            <th scope="row"><a href=${'#/wishes/' + encodeURIComponent(w.id)}>${w.title}</a></th>
            <td>${tk('category', w.category)}</td><td><span class=${'badge st-' + w.status}>${tk('status', w.status)}</span></td>
            <td>${fmt.date(w.due_at)}</td><td><code>${w.cell}</code></td>
            <td>${staff ? nodeName(communities.data, w.node_id, me) : (w.walk_band || '–')}</td>
          </tr>`)}</tbody>
        </table>
        ${next && html`<button type="button" onClick=${loadMore}>${t('app.more')}</button>`}
      </div>
      ${arg && html`<${WishDetail} key=${arg} id=${arg} me=${me} onChange=${list.reload} />`}
    </div>
  <//>`;
}

function nodeName(nodes, id, me) {
  const n = (me.node && me.node.id === id ? me.node : null) || (nodes || []).find((o) => o.id === id);
  return n ? n.name : (id || '–');
}

// WishDetail is one wish and its whole history, oldest first.
function WishDetail({ id, me, onChange }) {
  const [tick, setTick] = useState(0);
  const d = useLoad(async () => {
    const wish = await api('GET', '/v1/wishes/' + encodeURIComponent(id));
    let events = null, eventsError = null;
    if (can(me, 'GET /v1/wishes/{id}/events')) {
      try {
        events = (await api('GET', '/v1/wishes/' + encodeURIComponent(id) + '/events')).items;
      } catch (e) {
        eventsError = e;
      }
    }
    return { wish, events, eventsError };
  }, [id, tick]);
  const changed = () => { setTick((n) => n + 1); onChange(); };
  const heading = useRef(null);
  const loaded = !!d.data;
  useEffect(() => { // bring the wish into view (below the list on a phone) and say it
    if (loaded && heading.current) heading.current.focus();
  }, [loaded, id]);
  if (d.error) return html`<aside class="panel"><${ErrorNote} error=${d.error} /></aside>`;
  if (!d.data) return html`<aside class="panel"><${Loading} when=${true} /></aside>`;
  const { wish, events, eventsError } = d.data;
  return html`<aside class="panel" aria-label=${t('wishes.detail')} data-wish=${wish.id}>
    <h2 tabindex="-1" ref=${heading}>${wish.title}</h2>
    <dl class="facts">
      <dt>${t('field.status')}</dt><dd><span class=${'badge st-' + wish.status}>${tk('status', wish.status)}</span></dd>
      <dt>${t('field.category')}</dt><dd>${tk('category', wish.category)}</dd>
      <dt>${t('field.due')}</dt><dd>${fmt.dateTime(wish.due_at)}</dd>
      <dt>${t('field.cell')}</dt><dd><code>${wish.cell}</code></dd>
      ${wish.needs.skills.length > 0 && html`<dt>${t('field.skills')}</dt><dd>${fmt.list(wish.needs.skills)}</dd>`}
      ${wish.description && html`<dt>${t('field.description')}</dt><dd>${wish.description}</dd>`}
      ${wish.resident_id && html`<dt>${t('field.resident')}</dt><dd><code>${wish.resident_id}</code></dd>`}
    </dl>
    <h3>${t('wishes.history')}</h3>
    ${eventsError && html`<p class="note">${t('wishes.noHistory')}</p>`}
    ${events && html`<ol class="timeline" data-events=${events.length}>${events.map((e) => html`<li data-type=${e.type}>
      <time datetime=${e.at}>${fmt.dateTime(e.at)}</time>
      <strong>${tk('event', e.type)}</strong>
      <span>${t('wishes.by', { who: tk('party', e.actor.kind) + ' ' + e.actor.id })}${e.actor.key ? ' (' + e.actor.key + '…)' : ''}</span>
      ${e.type === 'claimed' && e.claimant && html`<span>→ ${tk('party', e.claimant.kind)} ${e.claimant.id}</span>`}
      ${e.rating ? html`<span>${t('wishes.rating', { n: e.rating })}</span>` : ''}
      ${e.note && html`<span class="note">${e.note}</span>`}
    </li>`)}</ol>`}
    ${wish.status === 'fulfilled' && can(me, 'POST /v1/wishes/{id}/confirmation') && html`<${Confirm} id=${wish.id} onDone=${changed} />`}
    ${(wish.status === 'open' || wish.status === 'claimed') && can(me, 'POST /v1/wishes/{id}/cancel') && html`<${Cancel} id=${wish.id} onDone=${changed} />`}
  </aside>`;
}

function Confirm({ id, onDone }) {
  const [outcome, setOutcome] = useState('confirmed');
  const [rating, setRating] = useState(5);
  const [comment, setComment] = useState('');
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    try {
      const body = { outcome, comment: comment || undefined, rating: outcome === 'confirmed' ? rating : undefined };
      await api('POST', '/v1/wishes/' + encodeURIComponent(id) + '/confirmation', body);
      onDone();
    } catch (err) { setError(err); }
  };
  return html`<form class="card" onSubmit=${submit} aria-labelledby="confirm-h">
    <h3 id="confirm-h">${t('wishes.confirm')}</h3>
    <fieldset><legend>${t('wishes.outcome')}</legend>
      ${['confirmed', 'disputed'].map((o) => html`<label class="inline"><input type="radio" name="outcome" value=${o} checked=${outcome === o} onChange=${() => setOutcome(o)} /> ${t('outcome.' + o)}</label>`)}
    </fieldset>
    ${outcome === 'confirmed' && html`<fieldset><legend>${t('wishes.satisfaction')}</legend>
      ${[1, 2, 3, 4, 5].map((n) => html`<label class="inline"><input type="radio" name="rating" value=${n} checked=${rating === n} onChange=${() => setRating(n)} /> ${n}</label>`)}
    </fieldset>`}
    <${Field} label=${t('wishes.comment')} id="confirm-comment"><textarea id="confirm-comment" value=${comment} onInput=${(e) => setComment(e.target.value)} /><//>
    <${ErrorNote} error=${error} />
    <button type="submit">${t('wishes.confirmSubmit')}</button>
  </form>`;
}

function Cancel({ id, onDone }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    try {
      await api('POST', '/v1/wishes/' + encodeURIComponent(id) + '/cancel', { reason: reason || undefined });
      onDone();
    } catch (err) { setError(err); }
  };
  return html`<form class="card" onSubmit=${submit}>
    <${Field} label=${t('wishes.cancelReason')} id="cancel-reason"><input id="cancel-reason" value=${reason} onInput=${(e) => setReason(e.target.value)} /><//>
    <${ErrorNote} error=${error} />
    <button type="submit" class="danger">${t('wishes.cancel')}</button>
  </form>`;
}

// NewWish records a wish for a resident of the social worker's scope.
function NewWish({ onDone }) {
  const residents = useLoad(() => allPages('/v1/residents'), []);
  const due = new Date(Date.now() + 7 * 864e5).toISOString().slice(0, 10);
  const [w, setW] = useState({ resident_id: '', category: 'repair', title: '', description: '', skills: '', due, on_site: true });
  const [error, setError] = useState(null);
  const set = (k) => (e) => setW({ ...w, [k]: e.target.type === 'checkbox' ? e.target.checked : e.target.value });
  const submit = async (e) => {
    e.preventDefault();
    try {
      const made = await api('POST', '/v1/wishes', {
        resident_id: w.resident_id, category: w.category, title: w.title, description: w.description || undefined,
        needs: { skills: splitList(w.skills) }, due_at: new Date(w.due + 'T18:00:00').toISOString(), on_site: w.on_site,
      });
      onDone(made);
    } catch (err) { setError(err); }
  };
  return html`<form class="card" onSubmit=${submit} aria-labelledby="new-wish-h">
    <h2 id="new-wish-h">${t('wishes.record')}</h2>
    <${Field} label=${t('field.resident')} id="nw-resident">
      <select id="nw-resident" required value=${w.resident_id} onChange=${set('resident_id')}>
        <option value="">${t('wishes.chooseResident')}</option>
        ${(residents.data || []).map((r) => html`<option value=${r.id}>${r.name || r.id}</option>`)}
      </select><//>
    <${Field} label=${t('field.category')} id="nw-category">
      <select id="nw-category" value=${w.category} onChange=${set('category')}>
        ${categories.map((c) => html`<option value=${c}>${tk('category', c)}</option>`)}
      </select><//>
    <${Field} label=${t('field.title')} id="nw-title"><input id="nw-title" required maxlength="200" value=${w.title} onInput=${set('title')} /><//>
    <${Field} label=${t('field.description')} id="nw-desc"><textarea id="nw-desc" value=${w.description} onInput=${set('description')} /><//>
    <${Field} label=${t('field.skills')} id="nw-skills" hint=${t('hint.list')}><input id="nw-skills" value=${w.skills} onInput=${set('skills')} aria-describedby="nw-skills-hint" /><//>
    <${Field} label=${t('field.due')} id="nw-due"><input id="nw-due" type="date" required value=${w.due} onInput=${set('due')} /><//>
    <label class="inline"><input type="checkbox" checked=${w.on_site} onChange=${set('on_site')} /> ${t('field.onSite')}</label>
    <${ErrorNote} error=${error} />
    <button type="submit">${t('wishes.save')}</button>
  </form>`;
}
