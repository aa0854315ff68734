// The live feed: one WebSocket to the node's event API (/ws), subscribed to every topic. The page
// never polls; it fetches once on load and again when an event (or an action) says that something
// changed. When the socket closes it reconnects with exponential backoff (1 s doubling to 30 s,
// with jitter); on every reconnect the page refetches once, since events may have been missed.

export const TOPICS = ['file_operations', 'peer_network', 'system', 'alerts'];

const MAX_DELAY_MS = 30_000;

export class Live {
  /**
   * @param url a function returning the socket URL (it carries the current token)
   * @param handlers {onMessage(msg), onState(state, detail), onOpen(first)}; states:
   *     connecting, live, reconnecting, unavailable (never opened), auth (refused for want of a
   *     valid token)
   */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.socket = null;
    this.attempt = 0;
    this.timer = null;
    this.everOpened = false;
    this.opens = 0;
    this.authFailed = false;
    this.clientId = null;
  }

  start() {
    clearTimeout(this.timer);
    this.timer = null;
    this.authFailed = false;
    if (this.socket) {
      const s = this.socket;
      this.socket = null;
      s.close(1000, 'restarting');
    }
    this.connect();
  }

  connect() {
    this.state(this.attempt === 0 ? 'connecting' : 'reconnecting');
    let s;
    try {
      s = new WebSocket(this.url());
    } catch (e) {
      this.state('unavailable', String(e.message || e));
      return;
    }
    this.socket = s;
    let opened = false;
    s.onopen = () => {
      opened = true;
      this.everOpened = true;
      this.attempt = 0;
      for (const topic of TOPICS) s.send(JSON.stringify({ type: 'subscribe', topic }));
      this.state('live');
      this.opens++;
      this.handlers.onOpen?.(this.opens === 1);
    };
    s.onmessage = (ev) => {
      for (const msg of parseFrame(ev.data)) {
        if (msg.type === 'welcome') this.clientId = (msg.data || msg).clientId || null;
        if (msg.type === 'error' && (msg.data || {}).code === 'AUTH_FAILED') this.authFailed = true;
        this.handlers.onMessage(msg);
      }
    };
    s.onclose = (ev) => {
      if (this.socket !== s) return; // replaced by start()
      this.socket = null;
      if (this.authFailed || ev.code === 1008 || ev.code === 4401) {
        this.state('auth', ev.reason || 'the node refused the token');
        return; // wait for a new token: start() is called when one is entered
      }
      const delay = Math.min(MAX_DELAY_MS, 1000 * 2 ** this.attempt) * (0.8 + 0.4 * Math.random());
      this.attempt++;
      const why = opened ? `closed (${ev.code})` : 'no event API on this node';
      this.state(this.everOpened ? 'reconnecting' : 'unavailable', `${why}; retrying in ${Math.round(delay / 1000)} s`);
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }

  state(state, detail = '') {
    this.handlers.onState(state, detail);
  }
}

/** One JSON object per frame, as the API promises; tolerates newline-joined objects too. */
function parseFrame(data) {
  if (typeof data !== 'string') return [];
  try {
    const m = JSON.parse(data);
    return m && typeof m === 'object' ? [m] : [];
  } catch {
    const out = [];
    for (const line of data.split('\n')) {
      try {
        const m = JSON.parse(line);
        if (m && typeof m === 'object') out.push(m);
      } catch {
        // a line that is not JSON is skipped
      }
    }
    return out;
  }
}
