// inbox.js: the agent inbox. The list and the open conversation stay current through the live
// socket (each event refetches the affected fragment from the server, which renders it with
// the same templates as the page); actions go to the JSON API; presence frames tell colleagues
// who is viewing and typing.
import { live, me, localTimes } from './app.js';
import { post, fragment, debounce, typingTarget } from './api.js';
import { Composer } from './composer.js';
import { Presence } from './presence.js';

const root = document.getElementById('inbox');
const rows = document.getElementById('rows');
const listQuery = root.dataset.listQuery;
const openId = Number(root.dataset.openId || 0);

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
  } catch (err) {
    more.textContent = 'Could not load more; try again';
  }
});

// --- the open conversation --------------------------------------------------------------

const timeline = document.getElementById('timeline');
const partsURL = () => `/inbox/${openId}?${listQuery ? `${listQuery}&` : ''}partial=parts`;

function atBottom(el) {
  return el.scrollHeight - el.scrollTop - el.clientHeight < 40;
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
    el.innerHTML = tpl.innerHTML;
    localTimes(el);
    if (key) el.querySelector(key)?.focus();
  }
  if (stick) timeline.scrollTop = timeline.scrollHeight;
}, 150);

if (timeline) timeline.scrollTop = timeline.scrollHeight;

// --- live -------------------------------------------------------------------------------

const presence = openId ? new Presence(document.getElementById('presence'), me.id) : null;

function viewing() {
  if (openId) live.send({ type: 'viewing', conversation_id: openId });
}

live.addEventListener('open', viewing);
if (live.open) viewing();
setInterval(viewing, 20000);
window.addEventListener('pagehide', () => {
  if (openId) live.send({ type: 'left', conversation_id: openId });
});

live.addEventListener('event', (ev) => {
  const e = ev.detail;
  if (e.type.startsWith('presence.')) {
    if (presence && e.conversation_id === openId) presence.update(e);
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

async function act(path, body) {
  try {
    await post(`/api/v1/conversations/${openId}/${path}`, body);
  } catch (err) {
    alert(err.message);
  }
  refreshConv();
  refreshRows();
}

const resolve = () => act('status', { status: 'resolved' });

document.addEventListener('change', (e) => {
  const sel = e.target.closest('select[data-action]');
  if (!sel || !openId) return;
  const v = sel.value;
  if (sel.dataset.action === 'assign') act('assign', { agent_id: Number(v) });
  if (sel.dataset.action === 'status') act('status', { status: v });
  if (sel.dataset.action === 'priority') act('priority', { priority: v });
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
      alert(err.message);
    }
  }
});

// --- the composer -----------------------------------------------------------------------

const composer = openId ? new Composer(document.getElementById('composer'), {
  send: async (body) => {
    await post(`/api/v1/conversations/${openId}/messages`, body);
    refreshConv();
    refreshRows();
  },
  typing: () => live.send({ type: 'typing', conversation_id: openId }),
}) : null;

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
