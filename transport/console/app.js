// The Linli console: sign-in, the shell (header, navigation, language)
// and a hash router over the pages. Which pages are offered follows the
// routes GET /v1/me says the key's role may call: the API's policy table
// decides, never this script.
import { html, render, useState, useEffect } from './vendor/htm-preact-standalone.js';
import { api, session, ApiError } from './api.js';
import { t, tk, loadLang, savedLang, currentLang } from './i18n.js';
import { SignIn } from './pages/signin.js';
import { MapPage } from './pages/map.js';
import { WishesPage } from './pages/wishes.js';
import { RoundsPage } from './pages/rounds.js';
import { RulesPage } from './pages/rules.js';
import { ProgrammesPage } from './pages/programmes.js';
import { StatsPage } from './pages/stats.js';

// pages, in the order of the navigation; each needs one route.
const pages = [
  { id: 'map', needs: 'GET /v1/coverage', component: MapPage },
  { id: 'wishes', needs: 'GET /v1/wishes', component: WishesPage },
  { id: 'rounds', needs: 'POST /v1/match-runs', component: RoundsPage },
  { id: 'rules', needs: 'POST /v1/rules/test', component: RulesPage },
  { id: 'programmes', needs: 'GET /v1/programmes', component: ProgrammesPage },
  { id: 'stats', needs: 'GET /v1/stats/weekly', component: StatsPage },
];

function route() {
  const h = location.hash.replace(/^#\/?/, '');
  const [page, ...rest] = h.split('/');
  return { page, arg: rest.join('/') };
}

function Shell({ me, onSignOut, onLang }) {
  const [where, setWhere] = useState(route());
  useEffect(() => {
    const f = () => setWhere(route());
    addEventListener('hashchange', f);
    f(); // the hash may have changed between the first render and now
    return () => removeEventListener('hashchange', f);
  }, []);
  const mine = pages.filter((p) => me.routes.includes(p.needs));
  const page = mine.find((p) => p.id === where.page) || mine[0];
  useEffect(() => {
    // Send an unknown or forbidden page to the first one, unless the hash
    // moved on since this render read it (then the listener catches up).
    if (page && where.page !== page.id && route().page === where.page) location.replace('#/' + page.id);
  }, [page, where.page]);
  const who = me.subject_name || me.subject_id || t('role.' + me.role);
  return html`
    <a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById('main').focus(); }}>${t('app.skip')}</a>
    <header class="top">
      <div class="brand">${t('app.title')}</div>
      <div class="who" aria-label=${t('app.signedInAs')}>
        <span class="role">${tk('role', me.role)}</span>
        <span>${who}</span>
        ${me.node && html`<span class="node">${tk('kind', me.node.kind)} · ${me.node.name}</span>`}
        <code title=${t('app.keyPrefix')}>${me.key_prefix}…</code>
      </div>
      <div class="tools">
        <button type="button" class="link" onClick=${onLang} lang=${currentLang() === 'en' ? 'zh-CN' : 'en'}
          title=${t('app.switchLanguage')}>${t('app.otherLanguage')}</button>
        <button type="button" class="link" onClick=${onSignOut}>${t('app.signOut')}</button>
      </div>
    </header>
    <nav class="pages" aria-label=${t('app.pages')}>
      <ul>
        ${mine.map((p) => html`<li><a href=${'#/' + p.id} aria-current=${page && p.id === page.id ? 'page' : undefined}>${t('nav.' + p.id)}</a></li>`)}
      </ul>
    </nav>
    ${page
      ? html`<${page.component} key=${page.id + currentLang()} me=${me} arg=${where.arg} />`
      : html`<main id="main" tabindex="-1" data-page="none" data-ready="true"><p>${t('app.nothing')}</p></main>`}
  `;
}

function App() {
  const [me, setMe] = useState(null);
  const [checking, setChecking] = useState(!!session.key());
  const [, setLang] = useState(currentLang());
  const [error, setError] = useState('');

  const signIn = async (key) => {
    session.set(key);
    try {
      setMe(await api('GET', '/v1/me'));
      setError('');
    } catch (e) {
      session.clear();
      setError(e instanceof ApiError && e.status === 401 ? t('signin.bad') : e.message);
    } finally {
      setChecking(false);
    }
  };
  useEffect(() => {
    if (session.key()) signIn(session.key());
  }, []);
  const signOut = () => {
    session.clear();
    setMe(null);
    location.hash = '';
  };
  const switchLang = async () => {
    await loadLang(currentLang() === 'en' ? 'zh-CN' : 'en');
    setLang(currentLang());
  };
  if (checking) return html`<p class="loading">${t('app.loading')}</p>`;
  if (!me) return html`<${SignIn} onSignIn=${signIn} error=${error} onLang=${switchLang} />`;
  return html`<${Shell} me=${me} onSignOut=${signOut} onLang=${switchLang} />`;
}

await loadLang(savedLang());
const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
