import { html, useState } from '../vendor/htm-preact-standalone.js';
import { t, currentLang } from '../i18n.js';

// SignIn asks for an API key; it is kept in sessionStorage for this tab.
export function SignIn({ onSignIn, error, onLang }) {
  const [key, setKey] = useState('');
  const submit = (e) => {
    e.preventDefault();
    if (key.trim()) onSignIn(key.trim());
  };
  return html`<main id="main" class="signin" data-page="signin" data-ready="true">
    <div class="tools"><button type="button" class="link" onClick=${onLang} lang=${currentLang() === 'en' ? 'zh-CN' : 'en'}
      title=${t('app.switchLanguage')}>${t('app.otherLanguage')}</button></div>
    <h1>${t('app.title')}</h1>
    <p>${t('signin.intro')}</p>
    <form onSubmit=${submit} autocomplete="off" method="post">
      <label for="api-key">${t('signin.key')}</label>
      <input id="api-key" type="password" value=${key} required spellcheck="false"
        aria-describedby="api-key-hint" onInput=${(e) => setKey(e.target.value)} />
      <small id="api-key-hint">${t('signin.hint')}</small>
      ${error && html`<p class="error" role="alert">${error}</p>`}
      <button type="submit">${t('signin.submit')}</button>
    </form>
  </main>`;
}
