// The console's one way to the API: every request carries the key kept in
// sessionStorage (never in a URL) and goes to this server only.

const keyName = 'linli.key';

export const session = {
  key: () => sessionStorage.getItem(keyName) || '',
  set: (k) => sessionStorage.setItem(keyName, k),
  clear: () => sessionStorage.removeItem(keyName),
};

// ApiError is an answer in the API's error shape.
export class ApiError extends Error {
  constructor(status, error) {
    super(error.message || String(status));
    this.status = status;
    this.code = error.code || 'internal';
    this.field = error.field || '';
    this.rule = error.rule || '';
  }
}

function headers(body, idempotent) {
  const h = { Authorization: 'Bearer ' + session.key() };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (idempotent) h['Idempotency-Key'] = crypto.randomUUID();
  return h;
}

// api sends one request and returns the decoded JSON answer; a POST that
// makes something carries a fresh Idempotency-Key, so a retry by the
// browser makes nothing twice.
export async function api(method, path, body, { idempotent = method === 'POST' } = {}) {
  const resp = await fetch(path, {
    method,
    headers: headers(body, idempotent),
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: 'omit',
    cache: 'no-store',
  });
  const text = await resp.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!resp.ok) {
    throw new ApiError(resp.status, (data && data.error) || { code: 'internal', message: text.slice(0, 200) });
  }
  return data;
}

// query builds a query string of the parameters that are set.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

// download fetches a report (CSV) with the key and saves it as a file.
export async function download(path, filename) {
  const resp = await fetch(path, { headers: headers(), credentials: 'omit', cache: 'no-store' });
  if (!resp.ok) {
    let e = { code: 'internal', message: String(resp.status) };
    try {
      e = (await resp.json()).error || e;
    } catch { /* not JSON */ }
    throw new ApiError(resp.status, e);
  }
  const url = URL.createObjectURL(await resp.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// allPages reads every page of a list (at most max items).
export async function allPages(path, params = {}, max = 2000) {
  const items = [];
  let after = '';
  do {
    const page = await api('GET', path + query({ ...params, limit: 200, after }));
    items.push(...page.items);
    after = page.next;
  } while (after && items.length < max);
  return items;
}
