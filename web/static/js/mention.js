// mention.js: @mentions in internal notes. Typing "@" and the start of a name in note mode
// lists the agents who may see the conversation (GET .../mentionable, which applies the same
// rule as the server's check); arrows choose, Enter or Tab writes the handle, Esc closes. The
// server refuses a note mentioning someone who may not see the conversation, and tells why.
import { get } from './api.js';
import { t } from './i18n.js';

export function setupMentions(form, convId) {
  const text = form?.querySelector('textarea');
  if (!text || !convId) return;
  const menu = document.createElement('ul');
  menu.id = 'mention-menu';
  menu.className = 'menu';
  menu.setAttribute('role', 'listbox');
  menu.setAttribute('aria-label', t('js.mention.label'));
  menu.hidden = true;
  text.after(menu);
  let matches = [];
  let pick = 0;
  let asked = 0;
  // matchedFor is the word the shown matches answer; pending is the latest lookup while it is in
  // flight, settled once its answer is shown (or overtaken by a later one).
  let matchedFor = null;
  let pending = null;

  const noteMode = () => form.querySelector('input[name=type]:checked')?.value === 'note';
  // word is the "@word" being typed at the caret (without the @), or null.
  const word = () => {
    const m = /(?:^|[\s(,;:])@([\p{L}\p{N}._+-]*)$/u.exec(text.value.slice(0, text.selectionStart));
    return m ? m[1] : null;
  };
  const close = () => { menu.hidden = true; matches = []; matchedFor = null; text.removeAttribute('aria-activedescendant'); };

  function render() {
    menu.replaceChildren(...matches.map((a, i) => {
      const li = document.createElement('li');
      li.id = `mention-${a.id}`;
      li.dataset.i = String(i);
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', String(i === pick));
      li.textContent = `${a.name} @${a.handle}`;
      return li;
    }));
    menu.hidden = matches.length === 0;
    if (matches.length) text.setAttribute('aria-activedescendant', `mention-${matches[pick].id}`);
  }

  function insert(i) {
    const a = matches[i];
    if (!a) return;
    const caret = text.selectionStart;
    const before = text.value.slice(0, caret).replace(/@[\p{L}\p{N}._+-]*$/u, `@${a.handle} `);
    text.value = before + text.value.slice(caret);
    text.selectionStart = text.selectionEnd = before.length;
    close();
    text.dispatchEvent(new Event('input', { bubbles: true }));
    text.focus();
  }

  async function lookup(w) {
    const n = ++asked;
    try {
      const res = await get(`/api/v1/conversations/${convId}/mentionable?q=${encodeURIComponent(w)}`);
      if (n !== asked) return; // a later keystroke asked again
      matches = res.agents || [];
      matchedFor = w;
      pick = 0;
      render();
    } catch {
      close();
    } finally {
      if (n === asked) pending = null; // nothing in flight: Enter is the composer's again
    }
  }

  text.addEventListener('input', () => {
    const w = noteMode() ? word() : null;
    if (w === null) { close(); return; }
    pending = lookup(w);
  });
  // Capture: the composer's own keys (Enter sends with Ctrl, arrows move its canned list) wait
  // while this list is open.
  text.addEventListener('keydown', (e) => {
    const w = noteMode() ? word() : null;
    if ((e.key === 'Enter' || e.key === 'Tab') && w !== null && w !== matchedFor && pending) {
      // The agent typed faster than the list followed ("@adm" and Enter at once, the list still
      // of "@ad"): write the match of what was typed once its list is there.
      stop(e);
      pending.then(() => { if (matches.length && matchedFor === word()) insert(pick); });
      return;
    }
    if (menu.hidden || !matches.length) return;
    let handled = true;
    if (e.key === 'ArrowDown') pick = (pick + 1) % matches.length;
    else if (e.key === 'ArrowUp') pick = (pick + matches.length - 1) % matches.length;
    else if (e.key === 'Enter' || e.key === 'Tab') { insert(pick); return stop(e); }
    else if (e.key === 'Escape') close();
    else handled = false;
    if (handled) { render(); stop(e); }
  }, true);
  text.addEventListener('blur', () => setTimeout(close, 150));
  menu.addEventListener('mousedown', (e) => {
    const li = e.target.closest('li[data-i]');
    if (!li) return;
    e.preventDefault();
    insert(Number(li.dataset.i));
  });
}

function stop(e) {
  e.preventDefault();
  e.stopImmediatePropagation();
}
