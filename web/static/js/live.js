// live.js: the tab's one WebSocket to /api/v1/events. It reconnects with backoff, shows its
// state in the header badge, and tells the page to catch up (refetch what it shows) after a
// reconnect or when the server's own feed missed events.
import { t } from './i18n.js';

// leaving is set once the page has sent a form the browser itself submits (no script took it
// over, as seen once every handler has run): a navigation is on its way.
let leaving = false;
document.addEventListener('submit', (e) => { setTimeout(() => { if (!e.defaultPrevented) leaving = true; }); });

const labels = { connecting: 'js.live.connecting', live: 'js.live.live', offline: 'js.live.offline', signedout: 'js.live.signedout' };

export class Live extends EventTarget {
  constructor(badge) {
    super();
    this.badge = badge;
    this.ws = null;
    this.everOpen = false;
    this.attempt = 0;
    this.timer = 0;
    this.out = false; // signed out: no reconnecting until signed in again
    window.addEventListener('online', () => this.retryNow());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.retryNow();
    });
  }

  start() { this.connect(); }

  connect() {
    clearTimeout(this.timer);
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    // Until it was open once, the socket says when the page was read from the database (its
    // request began: data-since), and the server sends first the events since then, which the
    // page would otherwise have missed (or a feed.resumed). A socket open again catches up anyway.
    const since = document.body.dataset.since;
    const query = !this.everOpen && since ? `?since=${encodeURIComponent(since)}` : '';
    const ws = new WebSocket(`${proto}//${location.host}/api/v1/events${query}`);
    this.ws = ws;
    this.setState('connecting');
    ws.addEventListener('open', () => {
      const again = this.everOpen;
      this.everOpen = true;
      this.attempt = 0;
      this.setState('live');
      this.dispatchEvent(new Event('open'));
      if (again) this.dispatchEvent(new Event('catchup'));
    });
    // A frame is one event, or an array of several in order (a burst the server gathered).
    ws.addEventListener('message', (m) => {
      let d;
      try { d = JSON.parse(m.data); } catch { return; }
      for (const e of Array.isArray(d) ? d : [d]) {
        if (!e || typeof e !== 'object') continue;
        if (e.type === 'feed.resumed') {
          this.dispatchEvent(new Event('catchup'));
          continue;
        }
        this.dispatchEvent(new CustomEvent('event', { detail: e }));
      }
    });
    ws.addEventListener('close', (ev) => {
      if (this.ws !== ws) return;
      // 4001: the agent's access changed (signed out, or another role): reload to show it,
      // unless this page is already leaving through a form it sent (signing out here: its
      // answer goes to the sign-in page, which a reload would race).
      if (ev.code === 4001) { if (!leaving) location.reload(); return; }
      this.ws = null;
      this.setState('offline');
      // A socket refused or dropped may mean the session lapsed: the page checks (session.js).
      this.dispatchEvent(new Event('closed'));
      // 1001: the server is going away (a restart, a deploy): another one is there already.
      if (ev.code === 1001) { this.attempt = 0; this.connect(); return; }
      if (this.out) return;
      const delay = Math.min(30000, 500 * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
      this.timer = setTimeout(() => this.connect(), delay);
    });
  }

  // retryNow reconnects at once when the socket is down (the network or the tab is back).
  retryNow() {
    if (!this.ws && !this.out) this.connect();
  }

  // signedOut closes the socket (its session is gone) and shows it until signedIn.
  signedOut() {
    this.out = true;
    clearTimeout(this.timer);
    const ws = this.ws;
    this.ws = null;
    ws?.close();
    this.setState('signedout');
  }

  // signedIn reconnects with the new session; the page catches up with what it missed.
  signedIn() {
    this.out = false;
    this.connect();
  }

  // send writes a frame (presence) when the socket is open; otherwise it is dropped.
  send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  get open() { return !!this.ws && this.ws.readyState === WebSocket.OPEN; }

  setState(state) {
    if (!this.badge) return;
    this.badge.textContent = t(labels[state]);
    this.badge.className = `badge live-${state}`;
    this.badge.dataset.state = state;
  }
}
