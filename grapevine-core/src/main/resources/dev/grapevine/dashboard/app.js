// The dashboard page: fetches each panel once on load, then follows the node's event API and
// refetches a panel only when an event (or an action taken here) says it changed. Several events
// in a burst cause one fetch per panel (see soon()).

import { adoptTokenFromUrl, eventsUrl, get, onAuthRequired, post, setToken } from './api.js';
import { IngestChart } from './chart.js';
import { Live } from './live.js';
import { ago, content, dur, el, fill, num, setText, short, when } from './format.js';
import { VirtualList } from './vlist.js';

const MAX_RESULTS = 50;
const MAX_ALERTS = 200;
const POSTS = 20;

const state = {
  snapshot: null,
  fetchedAt: 0,
  status: null, // GET /api/status, when the node serves it
  statusMissing: false,
  postsFor: -1, // the message count the posts panel was loaded for
  links: new Map(), // publicKey → {framesIn, framesOut, rttMs, linkId}
  rtt: new Map(), // publicKey → RTT in ms from peer_health_changed events
  peers: [],
  missing: new Set(), // routes this node does not serve
  alerts: [],
};

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- fetching, once per change

const refreshers = {
  node: refreshNode,
  peers: refreshPeers,
  staged: refreshStaged,
  db: refreshDb,
  firewall: refreshFirewall,
  posts: refreshPosts,
};
const timers = new Map();
const running = new Map(); // panel → whether it was asked for again while its fetch ran

/**
 * Refetches `what` after `delay` ms, once however often it is asked for in the meantime. One fetch
 * per panel at a time, so an older answer never overwrites a newer one.
 */
function soon(what, delay = 300) {
  if (timers.has(what)) return;
  timers.set(what, setTimeout(async () => {
    timers.delete(what);
    if (running.has(what)) {
      running.set(what, true);
      return;
    }
    running.set(what, false);
    try {
      await refreshers[what]();
    } finally {
      const again = running.get(what);
      running.delete(what);
      if (again) soon(what, 0);
    }
  }, delay));
}

function refreshAll() {
  state.postsFor = -1;
  for (const what of Object.keys(refreshers)) if (what !== 'posts') soon(what, 0);
}

/** GET `path`; on failure notes it (a route this node lacks, or an unreachable node) and returns null. */
async function load(path, label) {
  const r = await get(path);
  if (r.ok) {
    if (state.missing.delete(label)) showMissing();
    return r.data;
  }
  if (r.status === 404 || r.status === 405 || r.status === 501) {
    state.missing.add(label);
    showMissing();
  } else if (r.status === 0) {
    notice('The node is not reachable. The page refetches when its event feed reconnects; or reload it.');
  } else if (r.status !== 401 && r.status !== 403) {
    notice(`${label}: ${r.status} ${r.message}`);
  }
  return null;
}

function showMissing() {
  if (state.missing.size === 0) {
    notice('');
    return;
  }
  notice(`Not served by this node: ${[...state.missing].join(', ')}. The rest of the page works without it.`);
}

function notice(text) {
  const n = $('notice');
  n.textContent = text;
  n.hidden = !text;
}

// ---------------------------------------------------------------- node, ingest, gossip

const chart = new IngestChart($('ingest-chart'), $('ingest-summary'));

async function refreshNode() {
  const [snap, status] = await Promise.all([
    load('api/dashboard', 'the node snapshot (/api/dashboard)'),
    state.statusMissing ? Promise.resolve(null) : get('api/status'),
  ]);
  if (status && !status.ok && status.status === 404) state.statusMissing = true;
  if (status && status.ok) state.status = status.data;
  if (!snap) return;
  state.snapshot = snap;
  state.fetchedAt = Date.now();
  const n = snap.node;
  $('title-key').textContent = short(n.publicKey, 16);
  $('title-key').title = n.publicKey;
  setText('node-key', n.publicKey);
  setText('node-id', n.nodeId);
  setText('node-version', n.version);
  fill($('node-urls'), ...n.urls.flatMap((u, i) => (i ? [el('br'), u] : [u])));
  setText('node-datadir', n.ephemeral ? 'none (ephemeral: in memory)' : n.dataDir);
  setText('store-messages', num(snap.store.messages));
  setText('store-authors', num(snap.store.authors));
  setText('store-blobs', `${num(snap.store.blobs)} (${num(snap.store.blobBytes)} bytes)`);
  setText('sync-frames', `${num(snap.sync.framesIn)} / ${num(snap.sync.framesOut)}`);
  setText('sync-relayed', `${num(snap.sync.relayed)} / ${num(snap.sync.rejected)}`);
  tickUptime();
  chart.load(snap.ingest, n.now);
  setText('gossip-count', num(snap.gossip.missingCount));
  const more = snap.gossip.missingCount - snap.gossip.missing.length;
  fill($('gossip-missing'),
    ...snap.gossip.missing.map((h) => el('li', { text: h })),
    more > 0 ? el('li', { class: 'muted', text: `and ${num(more)} more` }) : null,
    snap.gossip.missingCount === 0 ? el('li', { class: 'muted', text: 'Nothing missing.' }) : null);
  state.links = new Map(snap.links.map((l) => [l.publicKey, l]));
  renderPeers();
  // The posts panel pages from the end of the log, so it needs the count: loaded after it.
  if (snap.store.messages !== state.postsFor) soon('posts', 0);
}

function tickUptime() {
  const s = state.snapshot;
  if (!s) return;
  setText('node-uptime', dur(s.node.uptimeMs + (Date.now() - state.fetchedAt)));
}

// ---------------------------------------------------------------- connections

const STATE_ORDER = { connected: 0, connecting: 1, disconnecting: 2 };

function hostPort(address) {
  return (address || '').split('~')[0].replace(/^wss?:\/\//, '');
}

function pill(text, cls) {
  return el('span', { class: `pill ${cls}`, text });
}

const peersList = new VirtualList($('peers'), {
  empty: 'No connections. Connect to a peer with its address above.',
  key: (p) => p.publicKey,
  attrs: (p) => ({ state: p.state, address: p.address }),
  columns: [
    { label: 'Peer', cls: 'mono', value: (p) => short(p.publicKey), title: (p) => p.publicKey, search: (p) => p.publicKey },
    { label: 'Address', cls: 'mono grow', value: (p) => hostPort(p.address), title: (p) => p.address, search: (p) => p.address },
    { label: 'State', value: (p) => pill(p.state, `state-${p.state}`), search: (p) => p.state },
    { label: 'Dir', value: (p) => (p.direction === 'inbound' ? 'in' : 'out'), title: (p) => p.direction },
    { label: 'Type', value: (p) => (p.data && p.data.type) || p.inferredType },
    { label: 'RTT', cls: 'num', value: (p) => rttOf(p.publicKey) },
    { label: 'In / out', cls: 'num', value: (p) => traffic(p.publicKey), title: () => 'Frames received / sent on this link' },
    { label: 'Since', value: (p) => ago(p.hubBirth), title: (p) => when(p.hubBirth) },
  ],
  actions: (p) => [
    { name: 'disconnect', label: 'Disconnect', run: () => act('disconnect', p.address) },
    { name: 'remember', label: 'Remember', run: () => act('remember', p.address, p.data && p.data.type ? { type: p.data.type } : undefined) },
  ],
});
$('peers-filter').addEventListener('input', (e) => peersList.setFilter(e.target.value));

function rttOf(key) {
  const live = state.rtt.get(key);
  const l = state.links.get(key);
  const v = live !== undefined ? live : l && l.rttMs;
  return v === null || v === undefined ? '—' : `${Math.round(v)} ms`;
}

function traffic(key) {
  const l = state.links.get(key);
  return l && l.framesIn !== null ? `${num(l.framesIn)} / ${num(l.framesOut)}` : '—';
}

async function refreshPeers() {
  const data = await load('api/peers', 'connections (/api/peers)');
  if (!data) return;
  // Actions need the multiserver address; MiniLedger's `address` is the peer's mesh URL.
  state.peers = data.peers.map((p) => ({ ...p, address: p.multiserverAddress || p.address })).sort((a, b) =>
    (STATE_ORDER[a.state] ?? 9) - (STATE_ORDER[b.state] ?? 9) || a.address.localeCompare(b.address));
  renderPeers();
}

function renderPeers() {
  peersList.set(state.peers);
  const connected = state.peers.filter((p) => p.state === 'connected').length;
  setText('peers-count', `${num(connected)} connected · ${num(state.peers.length)} total`);
  const sc = state.status && typeof state.status.peerCount === 'number' ? ` (status: ${num(state.status.peerCount)})` : '';
  setText('peer-count', `${num(connected)} connected, ${num(state.peers.length - connected)} connecting or closing${sc}`);
}

// ---------------------------------------------------------------- staged and remembered peers

const stagedList = new VirtualList($('staged'), {
  empty: 'No staged peers.',
  key: (e) => e.address,
  columns: [
    { label: 'Address', cls: 'mono grow', value: (e) => hostPort(e.address), title: (e) => e.address, search: (e) => e.address },
    { label: 'Key', cls: 'mono', value: (e) => short(e.data.key), title: (e) => e.data.key },
    { label: 'Type', value: (e) => e.data.type || '—' },
    { label: 'Staged', value: (e) => ago(e.data.stagingBirth), title: (e) => when(e.data.stagingBirth) },
  ],
  actions: (e) => [
    { name: 'connect', label: 'Connect', run: () => act('connect', e.address) },
    { name: 'unstage', label: 'Unstage', run: () => act('unstage', e.address) },
  ],
});
$('staged-filter').addEventListener('input', (e) => stagedList.setFilter(e.target.value));

async function refreshStaged() {
  const data = await load('api/conn/staged', 'staged peers (/api/conn/staged)');
  if (!data) return;
  stagedList.set(data.entries);
  setText('staged-count', num(data.count));
}

const dbList = new VirtualList($('db'), {
  empty: 'No remembered peers.',
  key: (e) => e.address,
  attrs: (e) => ({ failures: e.data.failure || 0, nextAttempt: typeof e.nextAttempt === 'number' ? e.nextAttempt : '' }),
  columns: [
    { label: 'Address', cls: 'mono grow', value: (e) => hostPort(e.address), title: (e) => e.address, search: (e) => e.address },
    { label: 'Type', value: (e) => e.data.type || '—' },
    { label: 'Failures', cls: 'num', value: (e) => num(e.data.failure || 0), title: () => 'Failed attempts since the last success' },
    { label: 'Last change', value: (e) => ago(e.data.stateChange), title: (e) => when(e.data.stateChange) },
    { label: 'Next retry', value: (e) => nextRetry(e), title: (e) => when(e.nextAttempt) },
    { label: 'RTT', cls: 'num', value: (e) => (e.data.ping && e.data.ping.rtt && e.data.ping.rtt.mean ? `${Math.round(e.data.ping.rtt.mean)} ms` : '—') },
  ],
  actions: (e) => [
    { name: 'connect', label: 'Connect', run: () => act('connect', e.address) },
    { name: 'forget', label: 'Forget', run: () => act('forget', e.address) },
  ],
});
$('db-filter').addEventListener('input', (e) => dbList.setFilter(e.target.value));

/** When the scheduler reckons it may dial the peer again (`nextAttempt`, from its last round). */
function nextRetry(e) {
  if (e.data.autoconnect === false) return 'never (autoconnect off)';
  if (typeof e.nextAttempt !== 'number') return '—';
  return e.nextAttempt <= Date.now() ? 'due (waiting for a slot)' : ago(e.nextAttempt);
}

async function refreshDb() {
  const data = await load('api/conn/db', 'remembered peers (/api/conn/db)');
  if (!data) return;
  dbList.set(data.entries);
  setText('db-count', num(data.count));
}

async function refreshFirewall() {
  const data = await load('api/conn/firewall', 'the firewall (/api/conn/firewall)');
  if (!data) return;
  const last = data.recent && data.recent.length ? data.recent[data.recent.length - 1] : null;
  $('firewall').textContent = `Firewall: ${num(data.rejected)} inbound connection${data.rejected === 1 ? '' : 's'} refused` +
    (last ? `, last ${ago(last.time)} (${last.reason}, ${short(last.key)})` : '');
}

// ---------------------------------------------------------------- recent posts

async function refreshPosts() {
  const count = state.snapshot ? state.snapshot.store.messages : 0;
  const path = count > POSTS ? `all?offset=${count - POSTS}&limit=${POSTS}` : `all?limit=${POSTS}`;
  const entries = await load(path, 'the log (/all)');
  if (!Array.isArray(entries)) return;
  state.postsFor = count;
  const items = entries.slice().reverse().map((e) => {
    const c = content(e.text);
    const ts = Number(e.ts);
    return el('li', { data: { hash: e.hash } },
      el('div', { class: 'meta' },
        el('strong', { text: c.meta.name || short(e.author), title: e.author }),
        ' ',
        el('span', { class: 'muted', text: ago(ts), title: when(ts) })),
      el('div', { class: 'body', text: e.text === undefined ? '(content not stored here)' : c.body.slice(0, 500) }));
  });
  fill($('posts'), ...items);
  if (items.length === 0) $('posts').append(el('li', { class: 'muted', text: 'No posts yet.' }));
}

// ---------------------------------------------------------------- actions

function result(action, subject) {
  const li = el('li', { class: 'pending', data: { action, status: 'pending' } },
    el('span', { class: 'time', text: new Date().toLocaleTimeString() }), ' ',
    el('strong', { text: action }), ' ',
    el('span', { class: 'mono subject', text: subject }), ' ',
    el('span', { class: 'outcome', text: '…' }));
  const list = $('results');
  list.prepend(li);
  while (list.children.length > MAX_RESULTS) list.lastElementChild.remove();
  return (ok, status, text) => {
    li.className = ok ? 'ok' : 'err';
    li.dataset.status = String(status);
    li.querySelector('.outcome').textContent = `${status || 'failed'} ${text}`;
  };
}

function summarise(data) {
  if (!data || typeof data !== 'object') return '';
  const parts = [];
  for (const [k, v] of Object.entries(data)) {
    if (k === 'address') continue;
    parts.push(`${k}: ${typeof v === 'object' ? JSON.stringify(v) : v}`);
  }
  return parts.join(', ');
}

/** A little longer than the connection scheduler's planning interval (2 s plus fuzz). */
const SCHEDULER_ROUND_MS = 4000;

const AFTER = {
  connect: ['peers', 'node', 'staged', 'db'],
  disconnect: ['peers', 'node', 'db'],
  remember: ['db'],
  forget: ['db'],
  stage: ['staged'],
  unstage: ['staged'],
};

async function act(action, address, data) {
  const done = result(action, address || '(no address)');
  const body = { address };
  if (data !== undefined) body.data = data;
  const r = await post(`api/conn/${action}`, body);
  done(r.ok, r.status, r.ok ? summarise(r.data) : `${r.error}: ${r.message}`);
  for (const what of AFTER[action]) soon(what, 0);
  // The connection scheduler plans a newly remembered peer in its next round (one every 2 s or so):
  // one more fetch after it shows when the peer will be dialled. Once, not a polling loop.
  if (action === 'remember' && r.ok) setTimeout(() => soon('db', 0), SCHEDULER_ROUND_MS);
}

function formAction(action) {
  const address = $('address').value.trim();
  const raw = $('address-data').value.trim();
  let data;
  if (raw) {
    try {
      data = JSON.parse(raw);
    } catch (e) {
      result(action, address)(false, 0, `the data is not JSON: ${e.message}`);
      return;
    }
  }
  act(action, address, data);
}

$('conn-form').addEventListener('submit', (e) => {
  e.preventDefault();
  formAction('connect');
});
for (const b of document.querySelectorAll('#conn-form button[type=button]')) {
  b.addEventListener('click', () => formAction(b.dataset.action));
}

$('publish-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const text = $('post-text').value;
  const name = $('post-name').value.trim();
  const done = result('publish', text.length > 40 ? `${text.slice(0, 40)}…` : text);
  const body = { text };
  if (name) body.name = name;
  const r = await post('api/publish', body);
  if (r.ok) {
    done(true, r.status, `hash ${r.data.hash}`);
    $('post-text').value = '';
  } else {
    done(false, r.status, `${r.error}: ${r.message}`);
  }
  soon('node', 0);
});

// ---------------------------------------------------------------- alerts

function addAlert(kind, level, message, detail) {
  state.alerts.unshift({ time: Date.now(), kind, level, message, detail });
  state.alerts.length = Math.min(state.alerts.length, MAX_ALERTS);
  fill($('alerts'), ...state.alerts.map((a) => el('li', { class: `level-${a.level}`, data: { kind: a.kind, level: a.level } },
    el('span', { class: 'time', text: new Date(a.time).toLocaleTimeString() }), ' ',
    el('strong', { text: a.kind }), ' ',
    el('span', { text: a.message }),
    a.detail ? el('span', { class: 'muted', text: ` (${a.detail})` }) : null)));
  setText('alerts-count', num(state.alerts.length));
}

// ---------------------------------------------------------------- the live feed

/** The public key of the peer an event is about: given as a key, or as MiniLedger's node id. */
function keyOf(d) {
  const k = d.publicKey || d.key || d.peer || d.id || null;
  if (!k) return null;
  const p = state.peers.find((x) => x.publicKey === k || x.nodeId === k);
  return p ? p.publicKey : k;
}

function onEvent(msg) {
  const d = msg.data && typeof msg.data === 'object' ? msg.data : {};
  switch (msg.type) {
    case 'welcome':
      setText('live-client', `${(msg.data || msg).clientId || '—'} (server ${(msg.data || msg).version || '?'})`);
      break;
    case 'peer_connected':
    case 'peer_disconnected':
    case 'network_topology_changed':
      soon('peers', 300);
      soon('node', 1000);
      if (msg.type !== 'network_topology_changed') soon('db', 1000);
      break;
    case 'peer_health_changed': {
      const key = keyOf(d);
      const rtt = d.rtt ?? d.rttMs;
      if (key && typeof rtt === 'number') {
        state.rtt.set(key, rtt);
        peersList.render();
      } else {
        soon('peers', 1000);
      }
      break;
    }
    case 'file_uploaded':
      if (d.author) chart.bump(eventTime(msg.timestamp));
      soon('node', 1000);
      break;
    case 'file_replicated':
    case 'file_deleted':
    case 'file_updated':
      soon('node', 2000);
      break;
    case 'system_metrics':
      showSystem(d);
      break;
    case 'performance_alert':
    case 'security_alert':
    case 'storage_alert':
    case 'network_alert':
      addAlert(msg.type, d.level || 'warning', d.message || '', metricDetail(d));
      if (msg.type === 'security_alert') soon('firewall', 500);
      break;
    case 'error':
      addAlert('error', 'error', `${d.code || 'ERROR'}: ${d.message || ''}`, d.retryAfter ? `retry after ${d.retryAfter} s` : '');
      break;
    default:
      break; // acknowledgements, pong and event types this page does not show
  }
}

function eventTime(ts) {
  if (typeof ts === 'number') return ts;
  const t = Date.parse(ts);
  return Number.isFinite(t) ? t : undefined;
}

function metricDetail(d) {
  if (!d.metric) return '';
  return `${d.metric} ${d.value ?? ''}${d.threshold !== undefined ? ` / threshold ${d.threshold}` : ''}`;
}

function showSystem(d) {
  const rows = [];
  const walk = (prefix, o) => {
    for (const [k, v] of Object.entries(o)) {
      if (rows.length >= 16) return;
      if (v && typeof v === 'object' && !Array.isArray(v)) walk(`${prefix}${k}.`, v);
      else if (typeof v === 'number' || typeof v === 'string') rows.push([`${prefix}${k}`, typeof v === 'number' ? num(v) : v]);
    }
  };
  walk('', d);
  const dl = $('system');
  fill(dl, ...rows.flatMap(([k, v]) => [el('dt', { text: k }), el('dd', { text: v })]));
  dl.hidden = rows.length === 0;
  $('system-title').hidden = dl.hidden;
}

const LIVE_TEXT = {
  connecting: 'live: connecting',
  live: 'live',
  reconnecting: 'live: reconnecting',
  unavailable: 'no live feed',
  auth: 'live: token needed',
};

const live = new Live(eventsUrl, {
  onMessage: onEvent,
  onState: (s, detail) => {
    const p = $('live');
    p.dataset.state = s;
    p.textContent = LIVE_TEXT[s] || s;
    p.title = detail;
    if (s === 'auth') showAuth();
  },
  onOpen: (first) => {
    if (!first) refreshAll(); // events may have been missed while the feed was down
  },
});

// ---------------------------------------------------------------- token

function showAuth() {
  $('auth').hidden = false;
}

onAuthRequired(showAuth);
$('auth').addEventListener('submit', (e) => {
  e.preventDefault();
  setToken($('auth-token').value.trim());
  $('auth-token').value = '';
  $('auth').hidden = true;
  live.start();
  refreshAll();
});

// ---------------------------------------------------------------- start

adoptTokenFromUrl();
refreshAll();
live.start();
// Local clocks only (uptime and the chart's window moving on); nothing is fetched here.
setInterval(() => {
  tickUptime();
  chart.render();
}, 1000);
