// One message catalogue per language (i18n/*.json); Simplified Chinese by
// default. Dates, numbers and walking minutes are formatted by Intl for
// the language in use.

const langName = 'linli.lang';
export const languages = ['zh-CN', 'en'];

let lang = 'zh-CN';
let messages = {};

export function currentLang() { return lang; }

export async function loadLang(l) {
  if (!languages.includes(l)) l = 'zh-CN';
  const resp = await fetch('/console/i18n/' + l + '.json', { cache: 'no-store' });
  messages = await resp.json();
  lang = l;
  localStorage.setItem(langName, l);
  document.documentElement.lang = l;
  document.title = t('app.title');
}

export function savedLang() { return localStorage.getItem(langName) || 'zh-CN'; }

// t returns the message key, with {name} replaced from params. A missing
// key shows itself, so it is seen (and the catalogue test catches it).
export function t(key, params) {
  let s = messages[key];
  if (s === undefined) return key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] === undefined ? m : String(params[k])));
  return s;
}

// tk is t for a value of a known set (a status, a category): its label
// when the catalogue has one, else the value itself.
export function tk(prefix, value) {
  const s = messages[prefix + '.' + value];
  return s === undefined ? value : s;
}

export const fmt = {
  number: (n, digits = 0) => (n === undefined || n === null || Number.isNaN(n) ? '–'
    : new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(n)),
  minutes: (m) => (m === undefined || m === null ? '–'
    : new Intl.NumberFormat(lang, { style: 'unit', unit: 'minute', unitDisplay: 'short', maximumFractionDigits: 1 }).format(m)),
  hours: (h) => (h === undefined || h === null ? '–'
    : new Intl.NumberFormat(lang, { style: 'unit', unit: 'hour', unitDisplay: 'short', maximumFractionDigits: 1 }).format(h)),
  money: (n) => (n === undefined || n === null ? '–'
    : new Intl.NumberFormat(lang, { style: 'currency', currency: 'CNY', maximumFractionDigits: 0 }).format(n)),
  date: (s) => (!s ? '–' : new Intl.DateTimeFormat(lang, { dateStyle: 'medium' }).format(new Date(s))),
  dateTime: (s) => (!s ? '–' : new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(s))),
  shortDate: (s) => new Intl.DateTimeFormat(lang, { month: 'numeric', day: 'numeric' }).format(new Date(s)),
  percent: (x) => new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }).format(x),
  list: (xs) => new Intl.ListFormat(lang, { type: 'conjunction' }).format(xs),
};
