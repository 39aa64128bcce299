// dashboard.js: the live SLA board. It reads GET /api/v1/sla/board and reloads it when live
// events arrive (a breach, a reply that meets a target). Until the server has the SLA API, the
// board says so.
import { live } from './app.js';
import { debounce } from './api.js';

const section = document.getElementById('sla-board');
const body = document.getElementById('sla-body');

function text(tag, value, cls) {
  const el = document.createElement(tag);
  el.textContent = value === null || value === undefined ? '' : String(value);
  if (cls) el.className = cls;
  return el;
}

function rowsOf(data) {
  if (Array.isArray(data)) return data;
  for (const k of ['items', 'rows', 'conversations', 'board']) {
    if (data && Array.isArray(data[k])) return data[k];
  }
  return null;
}

function render(data) {
  const rows = rowsOf(data);
  if (!rows) {
    body.replaceChildren(text('pre', JSON.stringify(data, null, 2), 'small'));
    return;
  }
  if (!rows.length) {
    body.replaceChildren(text('p', 'Nothing is at risk: no open SLA targets.', 'muted'));
    return;
  }
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const c of cols) head.append(text('th', c.replaceAll('_', ' ')));
  const tbody = table.createTBody();
  for (const r of rows) {
    const tr = tbody.insertRow();
    if (r.breached || r.status === 'breached') tr.className = 'breached';
    for (const c of cols) {
      const v = r[c];
      if (c === 'conversation_id' && v) {
        const td = tr.insertCell();
        const a = text('a', `#${v}`);
        a.href = `/inbox/${v}`;
        td.append(a);
      } else {
        tr.append(text('td', typeof v === 'object' && v !== null ? JSON.stringify(v) : v));
      }
    }
  }
  body.replaceChildren(table);
}

async function load() {
  let res;
  try {
    res = await fetch(section.dataset.src, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  } catch {
    body.replaceChildren(text('p', 'Could not reach the server; the board refreshes when the connection is back.', 'muted'));
    return;
  }
  if (res.status === 404) {
    body.replaceChildren(text('p', 'The live SLA board appears here once SLA policies are available on this server (GET /api/v1/sla/board).', 'muted'));
    return;
  }
  if (!res.ok) {
    body.replaceChildren(text('p', `The SLA board could not be loaded (${res.status}).`, 'error'));
    return;
  }
  render(await res.json());
}

const reload = debounce(load, 500);
load();
live.addEventListener('event', (ev) => {
  const t = ev.detail.type;
  if (t.startsWith('sla.') || t.startsWith('conversation.') || t === 'message.created') reload();
});
live.addEventListener('catchup', reload);
