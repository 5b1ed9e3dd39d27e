import { html, useState } from '../vendor/htm-preact-standalone.js';
import { api } from '../api.js';
import { t, tk, fmt } from '../i18n.js';
import { Page, useLoad, ErrorNote, Field, categories, certifications, splitList } from '../ui.js';

// presets are facts to start the tester from.
const presets = {
  child_tutoring: {
    wish: { category: 'tutoring', skills: '' }, resident: { age: 10, disabilities: '', lives_alone: false },
    supplier: { kind: 'volunteer', age: 25, skills: 'tutoring', certifications: ['background_check'], active_claims: 0, max_active_claims: 3, rating: 4.5, vetted: false },
    walk_minutes: 8,
  },
  elderly_visit: {
    wish: { category: 'home_visit', skills: '' }, resident: { age: 82, disabilities: '', lives_alone: true },
    supplier: { kind: 'volunteer', age: 17, skills: '', certifications: [], active_claims: 0, max_active_claims: 3, rating: 0, vetted: false },
    walk_minutes: 12,
  },
  wheelchair_repair: {
    wish: { category: 'repair', skills: 'repair' }, resident: { age: 70, disabilities: 'wheelchair_user', lives_alone: false },
    supplier: { kind: 'enterprise', age: 0, skills: 'repair', certifications: [], active_claims: 2, max_active_claims: 0, rating: 4.8, vetted: true },
    walk_minutes: 10,
  },
};

// toYAML writes rules as a rules file: expressions as literal blocks,
// kept exactly, explanations quoted.
export function toYAML(rules) {
  const q = (s) => "'" + s.replace(/'/g, "''") + "'";
  const block = (s) => '|-\n' + s.split('\n').map((l) => '      ' + l).join('\n');
  return 'rules:\n' + rules.map((r) => `  - name: ${r.name}\n${r.when ? `    when: ${block(r.when)}\n` : ''}    require: ${block(r.require)}\n    explain: ${q(r.explain)}\n`).join('');
}

// RulesPage shows the rules in force, a tester on typed facts, and the
// impact of an edited rules file before it is published.
export function RulesPage({ me }) {
  const rules = useLoad(() => api('GET', '/v1/rules'), []);
  return html`<${Page} id="rules" title=${t('nav.rules')} busy=${rules.loading}>
    <${ErrorNote} error=${rules.error} />
    ${rules.data && html`<section aria-labelledby="inforce-h">
      <h2 id="inforce-h">${t('rules.inForce', { n: fmt.number(rules.data.rules.length), version: rules.data.version })}</h2>
      <ol class="rules">${rules.data.rules.map((r) => html`<li data-rule=${r.name}>
        <h3><code>${r.name}</code></h3>
        <p>${r.explain}</p>
        <dl class="facts">
          ${r.when && html`<dt>${t('rules.when')}</dt><dd><code>${r.when}</code></dd>`}
          <dt>${t('rules.require')}</dt><dd><code>${r.require}</code></dd>
          <dt>${t('rules.where')}</dt><dd>${r.file.split('/').pop()}:${r.line}</dd>
        </dl></li>`)}</ol>
    </section>`}
    <${Tester} />
    ${rules.data && me.routes.includes('POST /v1/rules/impact') && html`<${Impact} initial=${toYAML(rules.data.rules)} />`}
  <//>`;
}

function Tester() {
  const [f, setF] = useState(presets.child_tutoring);
  const [result, setResult] = useState(null);
  const [error, setError] = useState(null);
  const set = (part, k, v) => setF({ ...f, [part]: { ...f[part], [k]: v } });
  const num = (part, k) => (e) => set(part, k, e.target.value === '' ? 0 : Number(e.target.value));
  const txt = (part, k) => (e) => set(part, k, e.target.value);
  const chk = (part, k) => (e) => set(part, k, e.target.checked);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      setResult(await api('POST', '/v1/rules/test', {
        wish: { category: f.wish.category, needs: { skills: splitList(f.wish.skills) } },
        resident: { age: f.resident.age, disabilities: splitList(f.resident.disabilities), lives_alone: f.resident.lives_alone },
        supplier: { ...f.supplier, skills: splitList(f.supplier.skills) },
        walk_minutes: f.walk_minutes,
      }, { idempotent: false }));
    } catch (err) { setResult(null); setError(err); }
  };
  return html`<section class="card" aria-labelledby="tester-h">
    <h2 id="tester-h">${t('rules.tester')}</h2>
    <form onSubmit=${submit} class="tester">
      <${Field} label=${t('rules.preset')} id="t-preset">
        <select id="t-preset" onChange=${(e) => { setF(presets[e.target.value]); setResult(null); }}>
          ${Object.keys(presets).map((k) => html`<option value=${k}>${t('preset.' + k)}</option>`)}
        </select><//>
      <fieldset><legend>${t('rules.wish')}</legend>
        <${Field} label=${t('field.category')} id="t-category">
          <select id="t-category" value=${f.wish.category} onChange=${txt('wish', 'category')}>
            ${categories.map((c) => html`<option value=${c}>${tk('category', c)}</option>`)}
          </select><//>
        <${Field} label=${t('field.skills')} id="t-wskills"><input id="t-wskills" value=${f.wish.skills} onInput=${txt('wish', 'skills')} /><//>
        <${Field} label=${t('field.walk')} id="t-walk"><input id="t-walk" type="number" min="0" max="600" step="0.5" value=${f.walk_minutes}
          onInput=${(e) => setF({ ...f, walk_minutes: Number(e.target.value) })} /><//>
      </fieldset>
      <fieldset><legend>${t('rules.resident')}</legend>
        <${Field} label=${t('field.age')} id="t-rage"><input id="t-rage" type="number" min="0" max="130" value=${f.resident.age} onInput=${num('resident', 'age')} /><//>
        <${Field} label=${t('field.disabilities')} id="t-dis"><input id="t-dis" value=${f.resident.disabilities} onInput=${txt('resident', 'disabilities')} /><//>
        <label class="inline"><input type="checkbox" checked=${f.resident.lives_alone} onChange=${chk('resident', 'lives_alone')} /> ${t('field.livesAlone')}</label>
      </fieldset>
      <fieldset><legend>${t('rules.supplier')}</legend>
        <${Field} label=${t('field.kind')} id="t-kind">
          <select id="t-kind" value=${f.supplier.kind} onChange=${txt('supplier', 'kind')}>
            ${['volunteer', 'organisation', 'enterprise', 'resource'].map((k) => html`<option value=${k}>${tk('party', k)}</option>`)}
          </select><//>
        <${Field} label=${t('field.age')} id="t-sage"><input id="t-sage" type="number" min="0" max="130" value=${f.supplier.age} onInput=${num('supplier', 'age')} /><//>
        <${Field} label=${t('field.skills')} id="t-sskills"><input id="t-sskills" value=${f.supplier.skills} onInput=${txt('supplier', 'skills')} /><//>
        <fieldset><legend>${t('field.certifications')}</legend>
          ${certifications.map((c) => html`<label class="inline"><input type="checkbox" name="cert" value=${c} checked=${f.supplier.certifications.includes(c)}
            onChange=${(e) => set('supplier', 'certifications', e.target.checked ? [...f.supplier.certifications, c] : f.supplier.certifications.filter((x) => x !== c))} /> ${tk('cert', c)}</label>`)}
        </fieldset>
        <${Field} label=${t('field.activeClaims')} id="t-active"><input id="t-active" type="number" min="0" value=${f.supplier.active_claims} onInput=${num('supplier', 'active_claims')} /><//>
        <${Field} label=${t('field.maxClaims')} id="t-max"><input id="t-max" type="number" min="0" value=${f.supplier.max_active_claims} onInput=${num('supplier', 'max_active_claims')} /><//>
        <${Field} label=${t('field.rating')} id="t-rating"><input id="t-rating" type="number" min="0" max="5" step="0.1" value=${f.supplier.rating} onInput=${num('supplier', 'rating')} /><//>
        <label class="inline"><input type="checkbox" checked=${f.supplier.vetted} onChange=${chk('supplier', 'vetted')} /> ${t('field.vetted')}</label>
      </fieldset>
      <button type="submit" id="run-test">${t('rules.test')}</button>
    </form>
    <${ErrorNote} error=${error} />
    ${result && html`<div class=${'verdict ' + (result.allowed ? 'ok' : 'no')} role="status" id="verdict" data-allowed=${String(result.allowed)} data-rule=${result.rule || ''}>
      <p class="big">${result.allowed ? t('rules.allowed') : t('rules.denied')}</p>
      ${!result.allowed && html`<p>${t('rules.decidedBy')} <code>${result.rule}</code></p><p class="explain">${result.explain}</p>`}
      <table class="list" tabindex="0"><caption>${t('rules.verdicts')}</caption>
        <thead><tr><th scope="col">${t('rules.rule')}</th><th scope="col">${t('rules.applies')}</th><th scope="col">${t('rules.verdict')}</th></tr></thead>
        <tbody>${result.verdicts.map((v) => html`<tr data-rule=${v.name}><th scope="row"><code>${v.name}</code></th>
          <td>${v.applies ? t('app.yes') : t('app.no')}</td>
          <td>${v.allowed ? t('rules.allows') : t('rules.denies')}${v.error ? html`<br /><small>${v.error}</small>` : ''}</td></tr>`)}</tbody>
      </table>
    </div>`}
  </section>`;
}

function Impact({ initial }) {
  const [yaml, setYaml] = useState(initial);
  const [report, setReport] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setReport(await api('POST', '/v1/rules/impact', { yaml }, { idempotent: false }));
    } catch (err) { setReport(null); setError(err); }
    setBusy(false);
  };
  const changed = report ? report.items.filter((r) => r.before !== r.after) : [];
  return html`<section class="card" aria-labelledby="impact-h">
    <h2 id="impact-h">${t('rules.impact')}</h2>
    <p>${t('rules.impactIntro')}</p>
    <form onSubmit=${submit}>
      <${Field} label=${t('rules.file')} id="impact-yaml">
        <textarea id="impact-yaml" class="code" rows="14" spellcheck="false" value=${yaml} onInput=${(e) => setYaml(e.target.value)} /><//>
      <button type="submit" disabled=${busy}>${t('rules.preview')}</button>
    </form>
    <${ErrorNote} error=${error} />
    ${report && html`<div role="status" id="impact" data-wishes=${report.totals.open_wishes} data-gain=${report.totals.gain} data-lose=${report.totals.lose}>
      <p class="summary">${t('rules.impactTotals', { wishes: fmt.number(report.totals.open_wishes), gain: fmt.number(report.totals.gain),
        lose: fmt.number(report.totals.lose), before: fmt.number(report.totals.pairs_before), after: fmt.number(report.totals.pairs_after),
        nobodyBefore: fmt.number(report.totals.nobody_before), nobodyAfter: fmt.number(report.totals.nobody_after) })}</p>
      ${changed.length > 0 && html`<table class="list" tabindex="0"><caption>${t('rules.changed', { n: fmt.number(changed.length) })}</caption>
        <thead><tr><th scope="col">${t('rounds.wish')}</th><th scope="col">${t('field.category')}</th><th scope="col">${t('rules.now')}</th><th scope="col">${t('rules.proposed')}</th></tr></thead>
        <tbody>${changed.map((r) => html`<tr><th scope="row">${r.wish_id}</th><td>${tk('category', r.category)}</td><td>${fmt.number(r.before)}</td><td>${fmt.number(r.after)}</td></tr>`)}</tbody>
      </table>`}
    </div>`}
  </section>`;
}
