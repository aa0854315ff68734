// Talks to the node's HTTP routes. URLs are relative to the page, so the dashboard also works
// behind a reverse proxy that serves the node under a sub-path.
//
// Token authentication: a token given once as ?token=… is kept in sessionStorage (for this tab
// only), removed from the address bar, and sent as `Authorization: Bearer …` on every request and
// as ?token=… when opening the event socket.

const TOKEN_KEY = 'grapevine.token';
const listeners = new Set();

/** Moves a ?token=… of the page's URL into sessionStorage and out of the address bar. */
export function adoptTokenFromUrl() {
  const url = new URL(window.location.href);
  const t = url.searchParams.get('token');
  if (t === null) return;
  setToken(t);
  url.searchParams.delete('token');
  history.replaceState(null, '', url.pathname + url.search + url.hash);
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(t) {
  if (t) sessionStorage.setItem(TOKEN_KEY, t);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** Calls `fn(status)` whenever a request is refused for want of a (valid) token. */
export function onAuthRequired(fn) {
  listeners.add(fn);
}

/**
 * One request. Never throws: resolves to {ok, status, data, error, message}, where status is 0
 * when the node could not be reached, data the parsed JSON body (or null), and error/message the
 * node's JSON error ({error, message}) or a description of the failure.
 */
export async function call(method, path, body) {
  const headers = { Accept: 'application/json' };
  const t = token();
  if (t) headers.Authorization = `Bearer ${t}`;
  const init = { method, headers, cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    return { ok: false, status: 0, data: null, error: 'unreachable', message: String(e.message || e) };
  }
  let data = null;
  const text = await res.text();
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (res.status === 401 || res.status === 403) listeners.forEach((fn) => fn(res.status));
  if (res.ok) return { ok: true, status: res.status, data };
  return {
    ok: false,
    status: res.status,
    data,
    error: (data && data.error) || `http_${res.status}`,
    message: (data && data.message) || res.statusText || `HTTP ${res.status}`,
  };
}

export const get = (path) => call('GET', path);
export const post = (path, body) => call('POST', path, body);

/** The URL of the event API socket, next to the page, with the token if there is one. */
export function eventsUrl() {
  const url = new URL('ws', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const t = token();
  if (t) url.searchParams.set('token', t);
  return url.toString();
}
