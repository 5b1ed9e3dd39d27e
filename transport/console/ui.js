// Pieces every page uses: the page frame with its ready flag, loading
// and error notes, and hooks to load data.
import { html, useState, useEffect } from './vendor/htm-preact-standalone.js';
import { t } from './i18n.js';

// Page is a page's main landmark. data-ready says its data has arrived,
// for people using assistive technology (aria-busy) and for the tests.
export function Page({ id, title, busy, children }) {
  useEffect(() => {
    document.title = title + ' · ' + t('app.title');
  }, [title]);
  return html`<main id="main" tabindex="-1" data-page=${id} data-ready=${busy ? 'false' : 'true'} aria-busy=${busy ? 'true' : 'false'}>
    <h1>${title}</h1>
    ${children}
  </main>`;
}

// useLoad runs load (an async function) whenever deps change, and gives
// its result, the error and whether it is loading.
export function useLoad(load, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => live && setState({ data, error: null, loading: false }),
      (error) => live && setState({ data: null, error, loading: false }),
    );
    return () => { live = false; };
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((n) => n + 1) };
}

export function ErrorNote({ error }) {
  if (!error) return null;
  return html`<p class="error" role="alert">${t('error.' + (error.code || 'internal'))}${error.message ? ': ' + error.message : ''}</p>`;
}

export function Loading({ when }) {
  return when ? html`<p class="loading" role="status">${t('app.loading')}</p>` : null;
}

// Field is a labelled control.
export function Field({ label, id, children, hint }) {
  return html`<div class="field"><label for=${id}>${label}</label>${children}${hint && html`<small id=${id + '-hint'}>${hint}</small>`}</div>`;
}

// categories are the default catalogue's; the API refuses others.
export const categories = ['repair', 'school_supplies', 'companionship', 'home_visit', 'meal_delivery',
  'medical_escort', 'elderly_care', 'tutoring', 'shopping'];
export const certifications = ['background_check', 'child_safeguarding', 'first_aid', 'disability_care', 'driver'];
export const statuses = ['open', 'claimed', 'fulfilled', 'confirmed', 'cancelled', 'expired', 'withdrawn'];

// splitList reads "a, b; c" as [a, b, c].
export function splitList(s) {
  return s.split(/[,;，、\s]+/).map((x) => x.trim()).filter(Boolean);
}
