// presence.js: "X is viewing" and "X is typing…" on the open conversation, from colleagues'
// presence events. Nothing is stored: a viewer that stops sending heartbeats fades out.
import { t } from './i18n.js';

const VIEWING_MS = 50000; // a viewer repeats "viewing" every 20 s
const TYPING_MS = 6000; // a typist repeats "typing" at most every 2 s while typing

export class Presence {
  constructor(el, myId) {
    this.el = el;
    this.myId = myId;
    this.people = new Map(); // agent id -> { name, seen, typed }
    this.timer = 0;
  }

  // update applies a colleague's presence event; it returns true when a colleague who was not
  // known to be here starts viewing (the page answers with its own "viewing").
  update(e) {
    if (e.agent_id === this.myId) return false;
    const known = this.people.has(e.agent_id);
    const now = Date.now();
    const p = this.people.get(e.agent_id) || { name: (e.data && e.data.name) || t('js.presence.colleague'), seen: 0, typed: 0 };
    if (e.type === 'presence.left') {
      this.people.delete(e.agent_id);
    } else {
      p.seen = now;
      if (e.type === 'presence.typing') p.typed = now;
      this.people.set(e.agent_id, p);
    }
    this.render();
    return !known && e.type !== 'presence.left';
  }

  render() {
    clearTimeout(this.timer);
    const now = Date.now();
    const typing = [];
    const viewing = [];
    for (const [id, p] of this.people) {
      if (now - p.seen > VIEWING_MS) {
        this.people.delete(id);
      } else if (now - p.typed < TYPING_MS) {
        typing.push(p.name);
      } else {
        viewing.push(p.name);
      }
    }
    const parts = [];
    if (typing.length) parts.push(t('js.presence.typing', { names: list(typing), count: typing.length }));
    if (viewing.length) parts.push(t('js.presence.viewing', { names: list(viewing), count: viewing.length }));
    this.el.textContent = parts.join(' · ');
    this.el.classList.toggle('active', parts.length > 0);
    this.el.classList.toggle('typing', typing.length > 0);
    if (this.people.size) this.timer = setTimeout(() => this.render(), 1000);
  }
}

function list(names) {
  if (names.length < 2) return names.join('');
  return t('js.presence.and', { first: names.slice(0, -1).join(t('js.presence.comma')), last: names.at(-1) });
}
