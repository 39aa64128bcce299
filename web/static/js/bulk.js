// bulk.js: bulk actions on the inbox list. Each row has a checkbox: a click (or x on the focused
// row) selects it, a shift-click (or shift-x) the range from the last one toggled, "Select all"
// (or *) every row on the page. While some are selected, a bar (put in the page from its
// template then, and only then, so that its controls never stand beside the conversation's own)
// offers to assign them, or set their status, priority, category or a tag, in one request
// (POST /api/v1/conversations/bulk), each conversation changed as its own action would be. The
// answer says per conversation what happened: the changed leave the selection, the refused stay
// selected and are listed with the reason. The list itself refreshes through the live events the
// changes announce (inbox.js); the selection survives those refreshes. Shift+A, S, P, C and T
// reach the bar's controls, Escape clears the selection.
import { post, typingTarget } from './api.js';
import { toast } from './toast.js';
import { t } from './i18n.js';

const rows = document.getElementById('rows');
const template = document.getElementById('bulk-bar-template');
const all = document.getElementById('bulk-all');

if (rows && template && all) {
  const picked = new Set(); // the selected conversations' ids, as strings
  let anchor = ''; // the row last toggled: where a range starts
  let shift = false; // the click that is changing a checkbox held shift
  let bar = null; // the bar, while there is a selection
  let refusals = []; // the results refused by the last action, shown while the bar is

  const boxes = () => [...rows.querySelectorAll('input[data-pick]')];

  // sync shows the selection: the rows' boxes and marks, the bar and its count, the box over
  // the list. Rows that left the list leave the selection.
  const sync = () => {
    const present = new Set();
    for (const box of boxes()) {
      const id = box.dataset.pick;
      present.add(id);
      box.checked = picked.has(id);
      box.closest('li')?.classList.toggle('picked', box.checked);
    }
    for (const id of picked) if (!present.has(id)) picked.delete(id);
    const n = picked.size;
    all.checked = n > 0 && n === present.size;
    all.indeterminate = n > 0 && n < present.size;
    if (!n) {
      if (bar?.contains(document.activeElement)) all.focus(); // the bar goes: keep the focus on the list
      bar?.remove();
      bar = null;
      refusals = [];
      return;
    }
    if (!bar) open();
    bar.querySelector('#bulk-count').textContent = t('js.bulk.selected', { count: n });
    report();
  };

  const set = (id, on) => (on ? picked.add(id) : picked.delete(id));

  // range sets every row from the anchor to id (both included) to on.
  const range = (id, on) => {
    const ids = boxes().map((b) => b.dataset.pick);
    let i = ids.indexOf(anchor);
    const j = ids.indexOf(id);
    if (i < 0) i = j;
    for (let k = Math.min(i, j); k <= Math.max(i, j); k++) set(ids[k], on);
  };

  const toggle = (id, on, extend) => {
    if (extend && anchor) range(id, on);
    else set(id, on);
    anchor = id;
    sync();
  };

  rows.addEventListener('click', (e) => {
    // A click on the label and the click it passes to the box: either may carry the shift.
    if (e.target.closest('.pick') && e.shiftKey) shift = true;
  });
  rows.addEventListener('change', (e) => {
    const box = e.target.closest('input[data-pick]');
    if (!box) return;
    toggle(box.dataset.pick, box.checked, shift);
    shift = false;
  });
  all.addEventListener('change', () => {
    for (const b of boxes()) set(b.dataset.pick, all.checked);
    sync();
  });
  // The list is re-rendered on live events and "Load more": keep the selection on the new rows.
  new MutationObserver(sync).observe(rows, { childList: true });

  const clear = () => {
    picked.clear();
    sync();
  };

  // report lists the selected conversations the last action did not change, with the reason,
  // as links.
  const report = () => {
    const list = bar.querySelector('#bulk-refused');
    list.replaceChildren();
    for (const r of refusals.filter((x) => picked.has(String(x.id)))) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = `/inbox/${r.id}`;
      a.textContent = `#${r.id}`;
      li.append(a, `: ${r.error}`);
      list.append(li);
    }
    list.hidden = !list.children.length;
  };

  const closeWarning = (n) => t('js.bulk.close_warning', { count: n });

  // body is the request of a bar's form, or null when there is nothing to do.
  const body = (form, submitter) => {
    const v = form.elements.value.value.trim();
    switch (form.dataset.bulk) {
      case 'assign': return v === 'me' ? { action: 'assign', agent: 'me' } : { action: 'assign', agent_id: Number(v) };
      case 'status':
        if (v === 'closed' && !confirm(closeWarning(picked.size))) return null;
        return { action: 'status', status: v };
      case 'priority': return { action: 'priority', priority: v };
      case 'category': return { action: 'category', category_id: Number(v) };
      case 'tags':
        if (!v) return null;
        return submitter?.value === 'remove' ? { action: 'tags', remove: [v] } : { action: 'tags', add: [v] };
    }
    return null;
  };

  const apply = async (e) => {
    const form = e.target.closest('form[data-bulk]');
    if (!form) return;
    e.preventDefault();
    const req = body(form, e.submitter);
    if (!req || !picked.size) return;
    const ids = [...picked].map(Number);
    const buttons = [...bar.querySelectorAll('button')];
    for (const b of buttons) b.disabled = true;
    try {
      const { results } = await post('/api/v1/conversations/bulk', { ...req, ids });
      for (const r of results) if (r.ok) picked.delete(String(r.id));
      refusals = results.filter((r) => !r.ok);
      const done = results.length - refusals.length;
      toast(t(refusals.length ? 'js.bulk.changed_some_refused' : 'js.bulk.changed', { done, count: results.length, refused: refusals.length }),
        { error: refusals.length > 0 });
      if (form.dataset.bulk === 'tags') form.elements.value.value = '';
    } catch (err) {
      toast(err.message, { error: true });
    } finally {
      for (const b of buttons) b.disabled = false;
      sync();
    }
  };

  // open puts the bar in the page, above the rows.
  const open = () => {
    rows.before(template.content.cloneNode(true));
    bar = document.getElementById('bulk-bar');
    bar.querySelector('[data-bulk-clear]').addEventListener('click', clear);
    bar.addEventListener('submit', apply);
  };

  // --- keyboard ---

  const focusedRow = () => document.activeElement?.closest?.('li.row')
    || rows.querySelector('li.row.current');
  const controls = { A: 'bulk-assign', S: 'bulk-status', P: 'bulk-priority', C: 'bulk-category', T: 'bulk-tag' };

  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && picked.size && !document.querySelector('dialog[open]')
      && (bar?.contains(document.activeElement) || !typingTarget(e))) {
      clear();
      return;
    }
    // A checkbox is no text field: x and * work on the rows' boxes and "Select all" too.
    const onBox = e.target instanceof HTMLInputElement && e.target.type === 'checkbox';
    if ((typingTarget(e) && !onBox) || e.ctrlKey || e.metaKey || e.altKey || document.querySelector('dialog[open]')) return;
    const row = focusedRow();
    if (e.key === 'x' || e.key === 'X') {
      if (!row) return;
      const id = row.dataset.id;
      toggle(id, e.key === 'X' ? true : !picked.has(id), e.key === 'X');
    } else if (e.key === '*') {
      all.checked = !all.checked;
      all.dispatchEvent(new Event('change'));
    } else if (controls[e.key] && picked.size) {
      document.getElementById(controls[e.key])?.focus();
    } else {
      return;
    }
    e.preventDefault();
  });

  sync();
}
