// dashboard.js: the live tiles and the live SLA board. The tiles (open and unassigned now, the
// longest wait, agents online) read GET /api/v1/dashboard/live; the board reads
// GET /api/v1/sla/board and shows the breached and at-risk conversations grouped by team and
// then by agent. Both count time every second and reload when live events arrive (a warning, a
// breach, any change to a conversation, a message; for the tiles and the list of agents, an
// agent's availability too); the tiles also every 30 s, for agents coming and going.
import { live } from './app.js';
import { debounce } from './api.js';
import { t } from './i18n.js';

const section = document.getElementById('sla-board');
const body = document.getElementById('sla-body');
const names = JSON.parse(section.dataset.names || '{"teams":{},"agents":{}}');
const targets = { first_response: 'js.dashboard.first_response', next_response: 'js.dashboard.next_response', resolution: 'js.dashboard.resolution' };

function el(tag, value, cls) {
  const e = document.createElement(tag);
  if (value !== undefined && value !== null) e.textContent = String(value);
  if (cls) e.className = cls;
  return e;
}

// spanUnits are the units a span is written in, largest first, in seconds; spanKeys their words.
const spanUnits = [[86400, 'days'], [3600, 'hours'], [60, 'minutes'], [1, 'seconds']];
const spanKeys = { days: 'js.duration.days', hours: 'js.duration.hours', minutes: 'js.duration.minutes', seconds: 'js.duration.seconds' };

// span formats a number of milliseconds as the server's words.duration does (web/words.go):
// "45s", "1m 26s", "2h 5m", "3d 4h".
function span(ms) {
  let s = Math.round(Math.abs(ms) / 1000);
  const parts = [];
  for (const [size, unit] of spanUnits) {
    const n = Math.floor(s / size);
    if (n > 0 && parts.length < 2) {
      parts.push(t(spanKeys[unit], { count: n }));
      s -= n * size;
    }
  }
  return parts.join(' ') || t('js.duration.seconds', { count: 0 });
}

// availabilityKeys name an agent's availability in words.
const availabilityKeys = { available: 'js.availability.available', away: 'js.availability.away', offline: 'js.availability.offline' };

// availability is an availability in words (an unknown one as it is).
function availability(value) {
  return availabilityKeys[value] ? t(availabilityKeys[value]) : value;
}

// tick rewrites every countdown from its due instant, and the longest wait from its start.
function tick() {
  const now = Date.now();
  for (const w of document.querySelectorAll('.waited[data-since]')) {
    w.textContent = span(now - Date.parse(w.dataset.since));
  }
  for (const c of body.querySelectorAll('.countdown[data-due]')) {
    const left = Date.parse(c.dataset.due) - now;
    c.textContent = t(left > 0 ? 'js.dashboard.due_in' : 'js.dashboard.overdue_by', { span: span(left) });
    c.classList.toggle('overdue', left <= 0);
  }
}

function row(e) {
  const li = el('li', null, `sla-row ${e.state}`);
  li.dataset.id = e.conversation_id;
  const a = el('a', `#${e.conversation_id} ${e.subject || t('js.common.no_subject')}`);
  a.href = `/inbox/${e.conversation_id}`;
  li.append(a);
  li.append(el('span', t(e.state === 'breached' ? 'js.dashboard.breached' : 'js.dashboard.at_risk'), `badge ${e.state}`));
  const missed = (e.breached || []).map((x) => (targets[x] ? t(targets[x]) : x));
  li.append(el('span', missed.length ? t('js.dashboard.missed', { targets: missed.join(', ') }) : (targets[e.target] ? t(targets[e.target]) : e.target), 'muted small'));
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
    const team = e.team_id ? names.teams[e.team_id] || t('js.dashboard.team_n', { id: e.team_id }) : t('js.dashboard.no_team');
    const agent = e.assignee_id ? names.agents[e.assignee_id] || t('js.dashboard.agent_n', { id: e.assignee_id }) : t('js.dashboard.unassigned');
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
  const summary = el('p', t('js.dashboard.summary', { breached, risk: hot.length - breached, rest: all.length - hot.length }), 'sla-summary');
  if (!hot.length) {
    body.replaceChildren(summary, el('p', t('js.dashboard.nothing_at_risk'), 'muted'));
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
    body.replaceChildren(el('p', t('js.dashboard.unreachable'), 'muted'));
    return;
  }
  if (res.status === 401) {
    location.reload();
    return;
  }
  if (!res.ok) {
    body.replaceChildren(el('p', t('js.dashboard.board_failed', { status: res.status }), 'error'));
    return;
  }
  render(await res.json());
}

const tiles = document.getElementById('live-tiles');

// longestTile fills the longest-wait tile: the wait, counting, and a link to the conversation.
function longestTile(tile, w) {
  if (!w) {
    tile.replaceChildren(el('span', '—', 'tile-n'), el('span', t('js.dashboard.longest_wait'), 'tile-l'), el('span', t('js.dashboard.nobody_waiting'), 'tile-s'));
    return;
  }
  const waited = el('time', w.wait, 'waited');
  waited.dataset.since = w.since;
  waited.dateTime = w.since;
  const n = el('span', null, 'tile-n');
  n.append(waited);
  const a = el('a', `#${w.conversation_id} ${w.subject || t('js.common.no_subject')}`);
  a.href = `/inbox/${w.conversation_id}`;
  const s = el('span', null, 'tile-s');
  s.append(a);
  tile.replaceChildren(n, el('span', t('js.dashboard.longest_wait'), 'tile-l'), s);
}

async function loadLive() {
  let res;
  try {
    res = await fetch(tiles.dataset.src, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  } catch {
    return; // the figures stay as they were; the next event or interval retries
  }
  if (res.status === 401) {
    location.reload();
    return;
  }
  if (!res.ok) return;
  const data = await res.json();
  for (const k of ['open', 'unassigned', 'snoozed', 'online', 'available']) {
    const n = tiles.querySelector(`[data-live="${k}"]`);
    if (n) n.textContent = String(data[k]);
  }
  longestTile(tiles.querySelector('[data-live="longest"]'), data.longest_wait);
  agentStates(data.agents || []);
  tick();
}

// agentStates fills the list of agents: name, availability (an automatic away says so) and
// whether a tab of theirs is open.
function agentStates(agents) {
  const list = document.getElementById('agent-states');
  if (!list) return;
  if (!agents.length) {
    list.replaceChildren(el('li', t('js.dashboard.no_agents'), 'muted'));
    return;
  }
  list.replaceChildren(...agents.map((a) => {
    const li = el('li');
    li.dataset.agent = String(a.id);
    li.dataset.state = a.availability;
    li.append(el('span', a.name, 'agent-name'), ' ',
      el('span', a.automatic ? t('js.dashboard.auto', { availability: availability(a.availability) }) : availability(a.availability),
        `chip av-${a.availability}`), ' ',
      el('span', t(a.online ? 'js.dashboard.online' : 'js.dashboard.not_online'), 'muted small'));
    return li;
  }));
}

const reload = debounce(load, 300);
const reloadLive = debounce(loadLive, 300);
load();
setInterval(tick, 1000);
setInterval(reloadLive, 30000);
live?.addEventListener('event', (ev) => {
  const type = ev.detail.type;
  if (type.startsWith('sla.') || type.startsWith('conversation.') || type === 'message.created') reload();
  if (type.startsWith('conversation.') || type === 'message.created' || type === 'agent.availability') reloadLive();
});
live?.addEventListener('catchup', () => {
  reload();
  reloadLive();
});
