// sla.js: the SLA page's policy form, which adds a policy (POST /api/v1/sla/policies) or, after a
// row's "edit", replaces that policy (PUT /api/v1/sla/policies/{id}). admin.js sends and shows
// refusals.
import { send, list } from './admin.js';
import { t } from './i18n.js';

const form = document.querySelector('form[data-policy-form]');
const title = document.querySelector('[data-policy-title]');
const submit = form.querySelector('[data-policy-submit]');
const cancel = form.querySelector('[data-policy-cancel]');
const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const int = (v) => (v ? Number(v) : undefined);
let editing = null; // the stored policy being edited

// words writes seconds as the pages show durations: "2h 30m", "1d 4h"; 0 or none is "".
function words(secs) {
  let left = secs || 0;
  const out = [];
  for (const [size, unit] of [[86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']]) {
    const n = Math.floor(left / size);
    if (n > 0) out.push(`${n}${unit}`);
    left -= n * size;
  }
  return out.join(' ');
}

// escalateAfter is the business time from a breach to a policy's second escalation level.
const escalateAfter = (p) => words(p.levels?.[1]?.after_secs);

function body() {
  const f = new FormData(form);
  const week = {};
  for (const day of days) {
    const shifts = list(f.get(`day-${day}`));
    if (shifts.length) week[day] = shifts;
  }
  const calendar = {};
  if (f.get('zone').trim()) calendar.zone = f.get('zone').trim();
  if (Object.keys(week).length) calendar.week = week;
  const holidays = list(f.get('holidays'));
  if (holidays.length) calendar.holidays = holidays;
  const out = {
    name: f.get('name'), team_id: int(f.get('team_id')), priority: f.get('priority') || undefined,
    tier: f.get('tier') || undefined,
    first_response: f.get('first_response'), next_response: f.get('next_response') || undefined,
    resolution: f.get('resolution') || undefined, calendar, pause_pending: f.get('pause_pending') === 'on',
    warn_at: Number(f.get('warn_at')) || undefined, escalate_team_id: int(f.get('escalate_team_id')),
    escalate_after: f.get('escalate_after') || undefined,
  };
  // An escalation ladder set through the API is kept unless the form's delay changed.
  if (editing && f.get('escalate_after') === escalateAfter(editing)) {
    out.levels = editing.levels;
    delete out.escalate_after;
  }
  return out;
}

// load fills the form with a stored policy and turns it into that policy's edit form.
function load(p) {
  const el = form.elements;
  el.name.value = p.name;
  el.team_id.value = p.team_id || '';
  el.priority.value = p.priority || '';
  el.tier.value = p.tier || '';
  el.first_response.value = words(p.first_response_secs);
  el.next_response.value = words(p.next_response_secs);
  el.resolution.value = words(p.resolution_secs);
  const cal = p.calendar || {};
  el.zone.value = cal.zone || '';
  for (const day of days) el[`day-${day}`].value = (cal.week?.[day] || []).join(', ');
  el.holidays.value = (cal.holidays || []).join(', ');
  el.pause_pending.checked = p.pause_pending;
  el.warn_at.value = p.warn_at;
  el.escalate_team_id.value = p.escalate_team_id || '';
  el.escalate_after.value = escalateAfter(p);
  editing = p;
  title.textContent = t('js.sla.edit', { name: p.name });
  submit.textContent = t('js.sla.save');
  cancel.hidden = false;
  el.name.focus();
  form.scrollIntoView({ block: 'start' });
}

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (editing) send('PUT', `/api/v1/sla/policies/${editing.id}`, body());
  else send('POST', '/api/v1/sla/policies', body());
});
cancel.addEventListener('click', () => location.reload());
// The page renders the Edit buttons disabled: one pressed before this script ran would do
// nothing.
for (const b of document.querySelectorAll('[data-edit-policy]')) {
  b.addEventListener('click', () => load(JSON.parse(b.closest('tr').dataset.policyJson)));
  b.disabled = false;
}
