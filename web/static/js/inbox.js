// inbox.js: the agent inbox. The list and the open conversation stay current through the live
// socket (each event refetches the affected fragment from the server, which renders it with
// the same templates as the page); actions go to the JSON API; presence frames tell colleagues
// who is viewing and typing.
import { live, me, localTimes } from './app.js';
import { post, fragment, debounce, typingTarget } from './api.js';
import { Composer } from './composer.js';
import { setupMentions } from './mention.js';
import { Presence } from './presence.js';
import { Unread } from './unread.js';
import { toast } from './toast.js';
import { t } from './i18n.js';

const root = document.getElementById('inbox');
const rows = document.getElementById('rows');
const listQuery = root.dataset.listQuery;
const openId = Number(root.dataset.openId || 0);
const unread = new Unread(rows, document.getElementById('sound'), openId);

// --- the list ---------------------------------------------------------------------------

const rowsURL = () => `${openId ? `/inbox/${openId}` : '/inbox'}?${listQuery ? `${listQuery}&` : ''}partial=rows`;

const refreshRows = debounce(async () => {
  const focused = document.activeElement?.closest?.('li.row')?.dataset.id;
  try {
    rows.innerHTML = await fragment(rowsURL());
  } catch (err) {
    console.warn('inbox: refresh list', err);
    return;
  }
  localTimes(rows);
  unread.mark();
  if (focused) rows.querySelector(`li.row[data-id="${focused}"] a`)?.focus();
}, 250);

rows.addEventListener('click', async (e) => {
  const more = e.target.closest('a[data-more]');
  if (!more) return;
  e.preventDefault();
  const li = more.closest('li');
  try {
    const html = await fragment(`${more.getAttribute('href')}&partial=rows`);
    li.insertAdjacentHTML('afterend', html);
    li.remove();
    localTimes(rows);
    unread.mark();
  } catch (err) {
    more.textContent = t('js.inbox.load_more_failed');
  }
});

// --- the open conversation --------------------------------------------------------------

const timeline = document.getElementById('timeline');
const partsURL = () => `/inbox/${openId}?${listQuery ? `${listQuery}&` : ''}partial=parts`;

function atBottom(el) {
  return el.scrollHeight - el.scrollTop - el.clientHeight < 40;
}

// edits are the fields of el the agent has changed and not sent yet (a follow-up's outcome and
// note being written), by id: an event refreshes the part they are in, and what the agent
// wrote must survive it. A control that sends itself on change (data-action) shows what the
// server holds instead.
function edits(el) {
  const out = [];
  for (const f of el.querySelectorAll('input[id], select[id], textarea[id]')) {
    if (f.type === 'hidden' || f.type === 'file' || f.dataset.action) continue;
    const changed = f.type === 'checkbox' || f.type === 'radio' ? f.checked !== f.defaultChecked
      : f.tagName === 'SELECT' ? [...f.options].some((o) => o.selected !== o.defaultSelected)
        : f.value !== f.defaultValue;
    if (changed) out.push(f);
  }
  return out;
}

// carry puts the agent's changes (edits) into the fresh copy of their part, field by field.
function carry(el, changed) {
  for (const old of changed) {
    const f = el.querySelector(`#${CSS.escape(old.id)}`);
    if (!f || f.tagName !== old.tagName || f.type !== old.type) continue;
    if (f.type === 'checkbox' || f.type === 'radio') f.checked = old.checked;
    else if (f.tagName === 'SELECT') for (const o of f.options) o.selected = [...old.selectedOptions].some((s) => s.value === o.value);
    else f.value = old.value;
  }
}

const refreshConv = debounce(async () => {
  if (!openId) return;
  let html;
  try {
    html = await fragment(partsURL());
  } catch (err) {
    console.warn('inbox: refresh conversation', err);
    return;
  }
  const doc = new DOMParser().parseFromString(html, 'text/html');
  const stick = atBottom(timeline);
  for (const tpl of doc.querySelectorAll('template[data-part]')) {
    const part = tpl.dataset.part;
    if (part === 'reply-channel') {
      composer?.setChannels(tpl.innerHTML);
      continue;
    }
    const el = document.getElementById(part);
    if (!el) continue;
    // Keep the agent's focus on the control they were using (its fresh copy).
    const active = el.contains(document.activeElement) ? document.activeElement : null;
    const key = active && (active.id ? `#${active.id}` : active.dataset.action ? `[data-action="${active.dataset.action}"]` : '');
    const changed = edits(el);
    el.innerHTML = tpl.innerHTML;
    carry(el, changed);
    localTimes(el);
    if (key) el.querySelector(key)?.focus();
  }
  if (stick) timeline.scrollTop = timeline.scrollHeight;
  syncClosed();
}, 150);

if (timeline) timeline.scrollTop = timeline.scrollHeight;

// latestMessage is the id of the newest message the agent has in front of them.
function latestMessage() {
  let max = 0;
  for (const a of timeline?.querySelectorAll('article.msg[data-id]') || []) max = Math.max(max, Number(a.dataset.id));
  return max;
}

// syncClosed follows the conversation's status: once closed, the composer gives way to a notice
// and the actions are disabled (closed is final; nothing could succeed).
function syncClosed() {
  const actions = document.querySelector('#conv-head .actions');
  if (!actions) return;
  const closed = actions.dataset.status === 'closed';
  for (const el of actions.querySelectorAll('select, button, input')) el.disabled = closed;
  const form = document.getElementById('composer');
  if (form) form.hidden = closed;
  const notice = document.getElementById('closed-notice');
  if (notice) notice.hidden = !closed;
}
syncClosed();

// On a phone the conversation's actions fold behind a button (app.css), so that the messages
// and the composer fit under the header; the state sits on the section, which the refreshes of
// the conversation's parts leave in place.
const actionsToggle = document.getElementById('actions-toggle');
if (actionsToggle) {
  const conv = actionsToggle.closest('.conv');
  const fold = (folded) => {
    conv.classList.toggle('fold-actions', folded);
    actionsToggle.setAttribute('aria-expanded', String(!folded));
  };
  fold(true);
  actionsToggle.hidden = false;
  actionsToggle.addEventListener('click', () => fold(!conv.classList.contains('fold-actions')));
}

// --- live -------------------------------------------------------------------------------

const presence = openId ? new Presence(document.getElementById('presence'), me.id) : null;

function viewing() {
  if (openId) live.send({ type: 'viewing', conversation_id: openId });
}
// A colleague who just opened the conversation announces themselves at once; each viewer
// answers with their own "viewing" (once per newcomer), so both see each other straight away
// rather than at the next heartbeat.
const greet = debounce(viewing, 100);

live.addEventListener('open', viewing);
if (live.open) viewing();
setInterval(viewing, 20000);
window.addEventListener('pagehide', () => {
  if (openId) live.send({ type: 'left', conversation_id: openId });
});

live.addEventListener('event', (ev) => {
  const e = ev.detail;
  if (e.type.startsWith('presence.')) {
    if (presence && e.conversation_id === openId && presence.update(e)) greet();
    return;
  }
  if (e.type.startsWith('conversation.') || e.type.startsWith('message.')) refreshRows();
  if (openId && (e.conversation_id === openId || e.type === 'contact.merged')) refreshConv();
});
live.addEventListener('catchup', () => {
  refreshRows();
  refreshConv();
});

// --- actions ----------------------------------------------------------------------------

// act posts an action; a refusal is said in a toast, and a select it came from goes back to
// what the server holds (its option marked selected in the page).
async function act(path, body, sel) {
  let ok = true;
  try {
    await post(`/api/v1/conversations/${openId}/${path}`, body);
  } catch (err) {
    ok = false;
    if (sel) sel.value = [...sel.options].find((o) => o.defaultSelected)?.value ?? sel.value;
    toast(err.message, { error: true });
  }
  refreshConv();
  refreshRows();
  return ok;
}

const currentStatus = () => document.querySelector('#conv-head .actions')?.dataset.status || '';

// resolve resolves the open conversation and offers to undo it (back to the status it had).
async function resolve() {
  const before = currentStatus();
  if (!before || before === 'resolved' || before === 'closed') return;
  if (await act('status', { status: 'resolved' })) {
    const back = before === 'new' ? 'open' : before;
    toast(t('js.inbox.resolved'), { action: { label: t('js.inbox.undo'), run: () => act('status', { status: back }) } });
  }
}

const closeWarning = () => t('js.inbox.close_warning');

document.addEventListener('change', (e) => {
  const sel = e.target.closest('select[data-action]');
  if (!sel || !openId) return;
  const v = sel.value;
  if (sel.dataset.action === 'assign') act('assign', { agent_id: Number(v) }, sel);
  if (sel.dataset.action === 'status') {
    if (v === 'closed' && !confirm(closeWarning())) {
      sel.value = [...sel.options].find((o) => o.defaultSelected)?.value ?? sel.value;
      return;
    }
    act('status', { status: v }, sel);
  }
  if (sel.dataset.action === 'priority') act('priority', { priority: v }, sel);
});

document.addEventListener('click', (e) => {
  const btn = e.target.closest('button[data-action]');
  if (!btn || !openId) return;
  if (btn.dataset.action === 'resolve') resolve();
  if (btn.dataset.action === 'untag') act('tags', { remove: [btn.dataset.tag] });
});

document.addEventListener('submit', async (e) => {
  const form = e.target.closest('form[data-action]');
  if (!form) return;
  e.preventDefault();
  if (form.dataset.action === 'tag') {
    const tag = form.tag.value.trim();
    if (tag) act('tags', { add: [tag] });
  }
  if (form.dataset.action === 'merge') {
    try {
      await post(`/api/v1/contacts/${form.dataset.contact}/merge`, { other_id: Number(form.other_id.value) });
      refreshConv();
    } catch (err) {
      toast(err.message, { error: true });
    }
  }
});

// --- the composer -----------------------------------------------------------------------

const composer = openId ? new Composer(document.getElementById('composer'), {
  send: async (body) => {
    try {
      await post(`/api/v1/conversations/${openId}/messages`, body);
    } finally {
      // Refused or not, show what is there now (a stale reply: the message that came first).
      refreshConv();
      refreshRows();
    }
  },
  typing: () => live.send({ type: 'typing', conversation_id: openId }),
  latest: latestMessage,
}) : null;
if (openId) setupMentions(document.getElementById('composer'), openId);

// --- keyboard ---------------------------------------------------------------------------

function move(step) {
  const links = [...rows.querySelectorAll('li.row > a')];
  if (!links.length) return;
  let i = links.indexOf(document.activeElement);
  if (i < 0) i = links.findIndex((a) => a.getAttribute('aria-current') === 'true');
  i = Math.max(0, Math.min(links.length - 1, i + step));
  links[i].focus();
  links[i].scrollIntoView({ block: 'nearest' });
}

document.addEventListener('keydown', (e) => {
  if (typingTarget(e) || e.ctrlKey || e.metaKey || e.altKey || document.querySelector('dialog[open]')) return;
  switch (e.key) {
    case 'j': move(1); break;
    case 'k': move(-1); break;
    case 'o': document.activeElement?.closest?.('li.row')?.querySelector('a')?.click(); break;
    case 'r': composer?.focus('reply'); break;
    case 'n': composer?.focus('note'); break;
    case 'e': if (openId) resolve(); break;
    case '/': document.getElementById('q')?.focus(); break;
    default: return;
  }
  e.preventDefault();
});
