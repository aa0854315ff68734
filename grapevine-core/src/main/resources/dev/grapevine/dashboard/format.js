// Small helpers shared by the dashboard's modules: DOM building (text only, never HTML, since
// most of what is shown comes from peers) and number, time and key formatting.

/** Creates an element; attrs: class, text, title, hidden, type, value, data: {k: v}, on: {event: fn}. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = String(v);
    else if (k === 'data') for (const [dk, dv] of Object.entries(v)) e.dataset[dk] = String(dv);
    else if (k === 'on') for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    else if (k === 'hidden') e.hidden = Boolean(v);
    else e.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

/** Replaces the children of `parent`. */
export function fill(parent, ...children) {
  parent.replaceChildren(...children.filter((c) => c !== null && c !== undefined && c !== false));
}

/** Sets the text of the element with id `id`, if it exists. */
export function setText(id, value) {
  const e = document.getElementById(id);
  if (e) e.textContent = value === null || value === undefined ? '—' : String(value);
}

/** The first characters of a public key or hash, for tables; the full value goes in a title. */
export function short(key, n = 10) {
  if (!key) return '—';
  return key.length > n + 1 ? key.slice(0, n) + '…' : key;
}

/** 1234567 → "1,234,567". */
export function num(n) {
  if (n === null || n === undefined || Number.isNaN(n)) return '—';
  return Number(n).toLocaleString('en-US');
}

/** A duration in ms as "3d 4h", "5m 12s", "850 ms". */
export function dur(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  let s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d) return `${d}d ${h}h`;
  if (h) return `${h}h ${m}m`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}

/** "5m 12s ago" for an epoch-ms time in the past, "in 5m" for one in the future. */
export function ago(t, now = Date.now()) {
  if (!t) return '—';
  const d = now - t;
  return d >= 0 ? `${dur(d)} ago` : `in ${dur(-d)}`;
}

/** An epoch-ms time as local date and time, for titles. */
export function when(t) {
  return t ? new Date(t).toLocaleString() : '';
}

/** Splits ANProto content into its front matter fields (flat `key: value` lines) and body. */
export function content(text) {
  if (typeof text !== 'string') return { meta: {}, body: '' };
  if (!text.startsWith('---\n')) return { meta: {}, body: text };
  const end = text.indexOf('\n---\n', 3);
  if (end < 0) return { meta: {}, body: text };
  const meta = {};
  for (const line of text.slice(4, end).split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) meta[line.slice(0, i).trim()] = line.slice(i + 1).trim().replace(/^["']|["']$/g, '');
  }
  return { meta, body: text.slice(end + 5) };
}
