// unread.js: what is new for this agent. A row is unread when its latest message is the
// customer's and came after the agent last opened the conversation (kept in this browser, in
// localStorage, by the conversation's last activity as the server stamps it). The tab's title
// counts the unread rows; an optional chime (off by default, the list's Sound toggle) plays
// when a row becomes unread.
import { t } from './i18n.js';

const SEEN_KEY = 'parley:seen';
const SINCE_KEY = 'parley:seen-since';
const SOUND_KEY = 'parley:sound';

function read(key, fallback) {
  try { return JSON.parse(localStorage.getItem(key) || 'null') ?? fallback; } catch { return fallback; }
}
function write(key, v) {
  try { localStorage.setItem(key, JSON.stringify(v)); } catch { /* storage off: nothing kept */ }
}

export class Unread {
  constructor(rows, soundButton, openId) {
    this.rows = rows;
    this.openId = openId;
    this.title = document.title;
    // Activity before this browser first opened the inbox is not news.
    this.since = read(SINCE_KEY, 0);
    if (!this.since) {
      this.since = Date.now();
      write(SINCE_KEY, this.since);
    }
    this.known = null; // the ids unread at the last mark, to chime only for new ones
    this.sound = soundButton;
    this.chimes = 0;
    window.parleyUnread = this; // a handle for the end-to-end tests
    if (soundButton) {
      this.showSound();
      soundButton.addEventListener('click', () => {
        write(SOUND_KEY, !this.soundOn);
        this.showSound();
      });
    }
    this.mark();
  }

  get soundOn() { return read(SOUND_KEY, false) === true; }

  showSound() {
    this.sound.setAttribute('aria-pressed', String(this.soundOn));
    this.sound.textContent = t(this.soundOn ? 'js.unread.sound_on' : 'js.unread.sound_off');
  }

  // seen records that the agent has the conversation open as of its row's activity.
  seen(id, activity) {
    const all = read(SEEN_KEY, {});
    all[id] = activity;
    // Keep the record small: the 500 most recent.
    const ids = Object.keys(all);
    if (ids.length > 500) {
      ids.sort((a, b) => Date.parse(all[a]) - Date.parse(all[b]));
      for (const old of ids.slice(0, ids.length - 500)) delete all[old];
    }
    write(SEEN_KEY, all);
  }

  // mark sets the unread marker of every row, the title's count, and chimes for new ones.
  mark() {
    const seen = read(SEEN_KEY, {});
    const now = new Set();
    for (const li of this.rows.querySelectorAll('li.row[data-id]')) {
      const id = li.dataset.id;
      const activity = li.dataset.activity;
      if (Number(id) === this.openId && document.visibilityState === 'visible') {
        if (seen[id] !== activity) this.seen(id, activity);
        seen[id] = activity;
      }
      const at = Date.parse(activity);
      const last = seen[id] ? Date.parse(seen[id]) : this.since;
      const isUnread = li.hasAttribute('data-waiting') && at > last;
      li.classList.toggle('unread', isUnread);
      const who = li.querySelector('.who');
      let label = li.querySelector('.unread-mark');
      if (isUnread && !label && who) {
        label = document.createElement('span');
        label.className = 'unread-mark sr';
        label.textContent = `${t('js.unread.unread')} `;
        who.before(label);
      } else if (!isUnread && label) {
        label.remove();
      }
      if (isUnread) now.add(id);
    }
    const fresh = this.known ? [...now].filter((id) => !this.known.has(id)) : [];
    this.known = now;
    document.title = now.size ? `(${now.size}) ${this.title}` : this.title;
    if (fresh.length && this.soundOn) this.chime();
  }

  // chime plays a short two-note tone (no sound file to load).
  chime() {
    this.chimes++;
    try {
      const ctx = new AudioContext();
      const o = ctx.createOscillator();
      const g = ctx.createGain();
      o.connect(g).connect(ctx.destination);
      o.frequency.setValueAtTime(880, ctx.currentTime);
      o.frequency.setValueAtTime(1320, ctx.currentTime + 0.12);
      g.gain.setValueAtTime(0.08, ctx.currentTime);
      g.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + 0.3);
      o.start();
      o.stop(ctx.currentTime + 0.3);
      o.addEventListener('ended', () => ctx.close());
    } catch { /* no audio here */ }
  }
}
