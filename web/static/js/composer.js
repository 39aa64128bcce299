// composer.js: the reply and note box. "/" opens the canned responses (filtered as you type,
// arrows to choose, Enter or Tab to insert); Ctrl+Enter sends; typing tells colleagues.
import { get } from './api.js';

const TYPING_EVERY_MS = 2000;

export class Composer {
  constructor(form, { send, typing }) {
    this.form = form;
    this.text = form.querySelector('textarea');
    this.menu = form.querySelector('#canned-menu');
    this.channel = form.querySelector('select[name=channel]');
    this.error = form.querySelector('#composer-error');
    this.sendFn = send;
    this.typingFn = typing;
    this.lastTyping = 0;
    this.channelTouched = false;
    this.canned = null;
    this.matches = [];
    this.pick = 0;
    form.addEventListener('submit', (e) => this.submit(e));
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
  }

  get mode() { return this.form.querySelector('input[name=type]:checked').value; }

  focus(mode) {
    this.form.querySelector(`input[name=type][value=${mode}]`).checked = true;
    this.modeChanged();
    this.text.focus();
  }

  modeChanged() {
    const note = this.mode === 'note';
    this.form.classList.toggle('note-mode', note);
    this.channel.disabled = note;
    this.text.placeholder = note ? 'Write an internal note (only agents see it)…' : 'Write a reply… type / for canned responses';
  }

  // setChannels refreshes the reply routes unless the agent picked one.
  setChannels(html) {
    if (this.channelTouched) return;
    this.channel.innerHTML = html;
  }

  async submit(e) {
    e.preventDefault();
    const text = this.text.value.trim();
    if (!text) {
      this.text.focus();
      return;
    }
    const then = e.submitter?.value || '';
    const body = { type: this.mode, text };
    const selected = this.channel.selectedOptions[0];
    if (body.type === 'reply' && selected && !/\(latest\)$/.test(selected.textContent)) body.channel = this.channel.value;
    if (then) body.status = then;
    this.error.hidden = true;
    this.form.setAttribute('aria-busy', 'true');
    try {
      await this.sendFn(body);
      this.text.value = '';
      this.channelTouched = false;
    } catch (err) {
      this.error.textContent = err.message;
      this.error.hidden = false;
    } finally {
      this.form.removeAttribute('aria-busy');
    }
  }

  input() {
    const now = Date.now();
    if (now - this.lastTyping > TYPING_EVERY_MS) {
      this.lastTyping = now;
      this.typingFn();
    }
    const word = this.slashWord();
    if (word === null) {
      this.close();
      return;
    }
    this.open(word);
  }

  // slashWord is the "/word" being typed at the caret (without the slash), or null.
  slashWord() {
    const upto = this.text.value.slice(0, this.text.selectionStart);
    const m = /(?:^|\s)\/([a-z0-9_-]*)$/i.exec(upto);
    return m ? m[1].toLowerCase() : null;
  }

  async open(word) {
    if (this.canned === null) {
      this.canned = [];
      try {
        this.canned = (await get('/api/v1/canned')).canned || [];
      } catch (err) {
        console.warn('canned responses', err);
      }
    }
    this.matches = this.canned.filter((c) => c.shortcut.startsWith(word) || c.title.toLowerCase().includes(word));
    this.pick = 0;
    this.renderMenu();
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
      li.id = `canned-${c.id}`;
      li.dataset.i = String(i);
      li.setAttribute('aria-selected', String(i === this.pick));
      const code = document.createElement('code');
      code.textContent = `/${c.shortcut}`;
      li.append(code, ` ${c.title}`);
      this.menu.append(li);
    });
    this.menu.hidden = false;
    this.text.setAttribute('aria-expanded', 'true');
    this.text.setAttribute('aria-activedescendant', `canned-${this.matches[this.pick].id}`);
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
    this.text.value = before + c.body + after;
    const caret = before.length + c.body.length;
    this.text.setSelectionRange(caret, caret);
    this.close();
    this.text.focus();
  }

  key(e) {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      this.form.requestSubmit(this.form.querySelector('button.primary'));
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
