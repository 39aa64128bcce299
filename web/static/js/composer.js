// composer.js: the reply and note box. "/" opens the canned responses and the macros (filtered
// as you type, arrows to choose, Enter or Tab to insert a response or run a macro, which
// macro.js does); Ctrl+Enter sends; typing tells colleagues. What is
// typed is kept in the browser per conversation (a draft) until it is sent, so a reload, a
// lapsed session or a closed tab loses nothing. A reply says which message it answers: when
// the customer or a colleague wrote meanwhile, the server refuses it and the agent reads the
// new message, then sends again or sends anyway.
import { get } from './api.js';
import { Attachments } from './attach.js';
import { t } from './i18n.js';

const TYPING_EVERY_MS = 2000;

// drafts keeps each conversation's unsent text in localStorage.
const drafts = {
  key: (id) => `parley:draft:${id}`,
  load(id) {
    try { return JSON.parse(localStorage.getItem(this.key(id)) || 'null'); } catch { return null; }
  },
  save(id, text, mode) {
    try {
      if (text.trim()) localStorage.setItem(this.key(id), JSON.stringify({ text, mode }));
      else localStorage.removeItem(this.key(id));
    } catch { /* storage full or off: the draft lives in the page only */ }
  },
};

export class Composer {
  constructor(form, { send, typing, latest }) {
    this.form = form;
    this.convId = Number(form.dataset.conv);
    this.latestFn = latest;
    this.text = form.querySelector('textarea');
    this.menu = form.querySelector('#canned-menu');
    this.channel = form.querySelector('select[name=channel]');
    this.error = form.querySelector('#composer-error');
    this.stale = form.querySelector('#composer-stale');
    this.stale.querySelector('[data-send-anyway]').addEventListener('click', () => this.sendAnyway());
    this.files = new Attachments(form, this.text);
    this.sendFn = send;
    this.typingFn = typing;
    this.lastTyping = 0;
    this.channelTouched = false;
    this.canned = null;
    this.matches = [];
    this.pick = 0;
    form.addEventListener('submit', (e) => this.submit(e));
    // category.js asks for a complaint's resolution code before "Send & resolve", then sends here.
    form.addEventListener('parley:send-coded', (e) => this.deliver(e.detail.status, false, e.detail.code));
    this.text.addEventListener('input', () => this.input());
    this.text.addEventListener('keydown', (e) => this.key(e));
    this.text.addEventListener('blur', () => setTimeout(() => this.close(), 150));
    this.channel.addEventListener('change', () => { this.channelTouched = true; });
    for (const r of form.querySelectorAll('input[name=type]')) {
      r.addEventListener('change', () => this.modeChanged());
    }
    this.menu.addEventListener('mousedown', (e) => {
      const li = e.target.closest('li[data-i]');
      if (!li) return;
      e.preventDefault();
      this.insert(Number(li.dataset.i));
    });
    const draft = drafts.load(this.convId);
    if (draft && !this.text.value) {
      this.text.value = draft.text;
      if (draft.mode === 'note') this.form.querySelector('input[name=type][value=note]').checked = true;
      this.modeChanged();
    }
  }

  saveDraft() { drafts.save(this.convId, this.text.value, this.mode); }

  // base is the latest message the agent had before them when they started this reply: a reply
  // says it answers that one, so what arrives while they type (even shown live) is flagged.
  get base() {
    if (!this.baseId) this.baseId = this.latestFn?.() || 0;
    return this.baseId;
  }

  get mode() { return this.form.querySelector('input[name=type]:checked').value; }

  focus(mode) {
    this.form.querySelector(`input[name=type][value=${mode}]`).checked = true;
    this.modeChanged();
    this.text.focus();
  }

  modeChanged() {
    const note = this.mode === 'note';
    this.saveDraft();
    this.form.classList.toggle('note-mode', note);
    this.channel.disabled = note;
    this.text.placeholder = note ? t('js.composer.note_placeholder') : t('js.composer.reply_placeholder');
  }

  // setChannels refreshes the reply routes unless the agent picked one.
  setChannels(html) {
    if (this.channelTouched) return;
    this.channel.innerHTML = html;
  }

  async submit(e) {
    e.preventDefault();
    this.deliver(e.submitter?.value || '', false);
  }

  // sendAnyway sends the refused reply again, confirmed, with the same "then" status.
  sendAnyway() { this.deliver(this.staleThen || '', true, this.staleCode || 0); }

  async deliver(then, confirm, code = 0) {
    const text = this.text.value.trim();
    const files = this.files.ids();
    if (this.files.busy) {
      this.error.textContent = t('js.attach.wait');
      this.error.hidden = false;
      return;
    }
    if (!text && !files.length) {
      this.text.focus();
      return;
    }
    const body = { type: this.mode, text };
    if (files.length) body.attachment_ids = files;
    const selected = this.channel.selectedOptions[0];
    if (body.type === 'reply' && selected && !selected.hasAttribute('data-latest')) body.channel = this.channel.value;
    if (then) body.status = then;
    if (then && code) body.resolution_code_id = code;
    if (body.type === 'reply') {
      if (this.base) body.after_message_id = this.base;
      if (confirm) body.confirm = true;
    }
    // The composer's other modules (recipients.js) add their fields to the request here.
    this.form.dispatchEvent(new CustomEvent('parley:compose', { detail: body }));
    this.error.hidden = true;
    this.stale.hidden = true;
    this.form.setAttribute('aria-busy', 'true');
    try {
      await this.sendFn(body);
      this.files.clear();
      this.text.value = '';
      this.baseId = 0;
      this.saveDraft();
      this.channelTouched = false;
    } catch (err) {
      if (err.code === 'stale_reply') {
        // Told: a plain Send now answers what is there (after the page refreshed).
        this.baseId = 0;
        this.staleThen = then;
        this.staleCode = code;
        this.stale.querySelector('span').textContent = err.message.replace(/ Read the new message.*$/, ` ${t('js.composer.stale_then')}`);
        this.stale.hidden = false;
      } else {
        this.error.textContent = err.message;
        this.error.hidden = false;
      }
    } finally {
      this.form.removeAttribute('aria-busy');
    }
  }

  input() {
    if (!this.text.value.trim()) this.baseId = 0;
    else void this.base; // the draft starts: remember what it answers
    this.saveDraft();
    const now = Date.now();
    if (now - this.lastTyping > TYPING_EVERY_MS) {
      this.lastTyping = now;
      this.typingFn();
    }
    if (this.slashWord() === null) {
      this.close();
      return;
    }
    this.pending = this.open();
  }

  // slashWord is the "/word" being typed at the caret (without the slash), or null.
  slashWord() {
    const upto = this.text.value.slice(0, this.text.selectionStart);
    const m = /(?:^|\s)\/([a-z0-9_-]*)$/i.exec(upto);
    return m ? m[1].toLowerCase() : null;
  }

  // open shows the canned responses matching the "/word" at the caret. The list is fetched once;
  // keys typed while it loads are not lost: the menu is built from the text as it is when the
  // list arrives, never from the word that started the fetch.
  async open() {
    if (this.canned === null) {
      this.canned = this.loadCanned();
    }
    const canned = await this.canned;
    const word = this.slashWord();
    if (word === null) {
      this.close();
      return;
    }
    const prev = this.matches[this.pick]?.key;
    this.matches = canned.filter((c) => c.shortcut.startsWith(word) || c.title.toLowerCase().includes(word));
    // Exact shortcut first, then those it starts, then title matches, then macros.
    const rank = (c) => (c.macro ? 3 : c.shortcut === word ? 0 : c.shortcut.startsWith(word) ? 1 : 2);
    this.matches.sort((a, b) => rank(a) - rank(b));
    const keep = this.matches.findIndex((c) => c.key === prev);
    this.pick = this.lastWord === word && keep >= 0 ? keep : 0;
    this.lastWord = word;
    this.renderMenu();
  }

  // loadCanned fetches the canned responses and the macros, as one list of menu items.
  async loadCanned() {
    const [canned, macros] = await Promise.all([
      get('/api/v1/canned').then((d) => d.canned || [], (err) => { console.warn('canned responses', err); return []; }),
      get('/api/v1/macros').then((d) => d.macros || [], (err) => { console.warn('macros', err); return []; }),
    ]);
    return [
      ...canned.map((c) => ({ ...c, key: `canned-${c.id}` })),
      ...macros.map((m) => ({ key: `macro-${m.id}`, shortcut: '', title: m.name, macro: m })),
    ];
  }

  renderMenu() {
    this.menu.replaceChildren();
    if (!this.matches.length) {
      this.close();
      return;
    }
    this.matches.forEach((c, i) => {
      const li = document.createElement('li');
      li.role = 'option';
      li.id = c.key;
      li.dataset.i = String(i);
      li.setAttribute('aria-selected', String(i === this.pick));
      const code = document.createElement('code');
      code.textContent = c.macro ? t('js.composer.macro') : `/${c.shortcut}`;
      li.append(code, ` ${c.title}`);
      this.menu.append(li);
    });
    this.menu.hidden = false;
    this.text.setAttribute('aria-expanded', 'true');
    this.text.setAttribute('aria-activedescendant', this.matches[this.pick].key);
  }

  close() {
    this.menu.hidden = true;
    this.matches = [];
    this.text.setAttribute('aria-expanded', 'false');
    this.text.removeAttribute('aria-activedescendant');
  }

  insert(i) {
    const c = this.matches[i];
    if (!c) return;
    const pos = this.text.selectionStart;
    const before = this.text.value.slice(0, pos).replace(/\/[a-z0-9_-]*$/i, '');
    const after = this.text.value.slice(pos);
    const body = c.macro ? '' : c.body;
    this.text.value = before + body + after;
    const caret = before.length + body.length;
    this.text.setSelectionRange(caret, caret);
    this.close();
    this.saveDraft();
    this.text.focus();
    if (c.macro) document.dispatchEvent(new CustomEvent('parley:run-macro', { detail: c.macro }));
  }

  key(e) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      this.form.requestSubmit(this.form.querySelector('button.primary'));
      return;
    }
    if ((e.key === 'Enter' || e.key === 'Tab') && this.menu.hidden && this.slashWord() !== null && this.pending) {
      // The list is still loading (the agent typed "/th" and Enter at once): insert the match
      // of what was typed once it is there.
      e.preventDefault();
      this.pending.then(() => {
        if (this.matches.length) this.insert(this.pick);
      });
      return;
    }
    if (!this.menu.hidden && this.matches.length) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        this.pick = (this.pick + (e.key === 'ArrowDown' ? 1 : -1) + this.matches.length) % this.matches.length;
        this.renderMenu();
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        this.insert(this.pick);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        this.close();
        return;
      }
    }
    if (e.key === 'Escape') this.text.blur();
  }
}
