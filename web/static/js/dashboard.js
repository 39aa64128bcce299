// dashboard.js: the live SLA board. It reads GET /api/v1/sla/board, shows the breached and
// at-risk conversations grouped by team and then by agent, counts down to each due instant
// every second, and reloads when live events arrive (a warning, a breach, any change to a
// conversation, a message that may meet a target).
import { live } from './app.js';
import { debounce } from './api.js';

const section = document.getElementById('sla-board');
const body = document.getElementById('sla-body');
const names = JSON.parse(section.dataset.names || '{"teams":{},"agents":{}}');
const targets = { first_response: 'first response', next_response: 'next response', resolution: 'resolution' };

function el(tag, value, cls) {
  const e = document.createElement(tag);
  if (value !== undefined && value !== null) e.textContent = String(value);
  if (cls) e.className = cls;
  return e;
}

// span formats a number of milliseconds as "1h 02m", "4m 05s" or "12s".
function span(ms) {
  const s = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n) => String(n).padStart(2, '0');
  if (h > 0) return `${h}h ${two(m)}m`;
  if (m > 0) return `${m}m ${two(sec)}s`;
  return `${sec}s`;
}

// tick rewrites every countdown from its due instant.
function tick() {
  const now = Date.now();
  for (const c of body.querySelectorAll('.countdown[data-due]')) {
    const left = Date.parse(c.dataset.due) - now;
    c.textContent = left > 0 ? `due in ${span(left)}` : `overdue by ${span(left)}`;
    c.classList.toggle('overdue', left <= 0);
  }
}

function row(e) {
  const li = el('li', null, `sla-row ${e.state}`);
  li.dataset.id = e.conversation_id;
  const a = el('a', `#${e.conversation_id} ${e.subject || '(no subject)'}`);
  a.href = `/inbox/${e.conversation_id}`;
  li.append(a);
  li.append(el('span', e.state === 'breached' ? 'breached' : 'at risk', `badge ${e.state}`));
  const missed = (e.breached || []).map((t) => targets[t] || t);
  li.append(el('span', missed.length ? `missed: ${missed.join(', ')}` : targets[e.target] || e.target, 'muted small'));
  li.append(el('span', e.priority, `chip prio-${e.priority}`));
  if (e.due_at) {
    const c = el('time', '', 'countdown');
    c.dataset.due = e.due_at;
    c.dateTime = e.due_at;
    li.append(c);
  }
  return li;
}

// group nests entries by team, then agent, keeping the board's soonest-first order.
function group(entries) {
  const teams = new Map();
  for (const e of entries) {
    const team = e.team_id ? names.teams[e.team_id] || `Team ${e.team_id}` : 'No team';
    const agent = e.assignee_id ? names.agents[e.assignee_id] || `Agent ${e.assignee_id}` : 'Unassigned';
    if (!teams.has(team)) teams.set(team, new Map());
    const agents = teams.get(team);
    if (!agents.has(agent)) agents.set(agent, []);
    agents.get(agent).push(e);
  }
  return teams;
}

function render(data) {
  const all = data.conversations || [];
  const hot = all.filter((e) => e.state === 'breached' || e.state === 'at_risk');
  const breached = hot.filter((e) => e.state === 'breached').length;
  const summary = el('p', `${breached} breached · ${hot.length - breached} at risk · ${all.length - hot.length} on track or paused`, 'sla-summary');
  if (!hot.length) {
    body.replaceChildren(summary, el('p', 'Nothing is breached or at risk.', 'muted'));
    return;
  }
  const out = [summary];
  for (const [team, agents] of group(hot)) {
    const sec = el('section', null, 'sla-team');
    sec.append(el('h3', team));
    for (const [agent, entries] of agents) {
      sec.append(el('h4', agent));
      const ul = el('ul', null, 'sla-list');
      ul.append(...entries.map(row));
      sec.append(ul);
    }
    out.push(sec);
  }
  body.replaceChildren(...out);
  tick();
}

async function load() {
  let res;
  try {
    res = await fetch(section.dataset.src, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  } catch {
    body.replaceChildren(el('p', 'Could not reach the server; the board refreshes when the connection is back.', 'muted'));
    return;
  }
  if (res.status === 401) {
    location.reload();
    return;
  }
  if (!res.ok) {
    body.replaceChildren(el('p', `The SLA board could not be loaded (${res.status}).`, 'error'));
    return;
  }
  render(await res.json());
}

const reload = debounce(load, 300);
load();
setInterval(tick, 1000);
live?.addEventListener('event', (ev) => {
  const t = ev.detail.type;
  if (t.startsWith('sla.') || t.startsWith('conversation.') || t === 'message.created') reload();
});
live?.addEventListener('catchup', reload);
