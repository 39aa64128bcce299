// admin.js: the routing-rule and SLA admin pages. Their forms send JSON to the admin APIs
// (the session cookie and the server's cross-origin check guard them), then reload the page;
// a refusal is shown above the list, the form kept as typed.
const problem = document.querySelector('[data-problem]');

export const list = (v) => (v || '').split(',').map((s) => s.trim()).filter(Boolean);
const int = (v) => (v ? Number(v) : undefined);

// bodies turn each kind of form into its API's JSON.
const bodies = {
  rule: (f) => ({
    name: f.get('name'), rule_set: f.get('rule_set') || undefined, position: int(f.get('position')),
    channels: f.get('channels') ? [f.get('channels')] : undefined, keywords: list(f.get('keywords')),
    set_team_id: int(f.get('set_team_id')), set_priority: f.get('set_priority') || undefined,
    set_category: f.get('set_category') || undefined,
  }),
  ruleset: (f) => ({ name: f.get('name'), mode: f.get('mode'), position: int(f.get('position')) }),
  policy: (f) => {
    const week = {};
    for (const day of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']) {
      const shifts = list(f.get(`day-${day}`));
      if (shifts.length) week[day] = shifts;
    }
    const calendar = {};
    if (f.get('zone')) calendar.zone = f.get('zone').trim();
    if (Object.keys(week).length) calendar.week = week;
    const holidays = list(f.get('holidays'));
    if (holidays.length) calendar.holidays = holidays;
    return {
      name: f.get('name'), team_id: int(f.get('team_id')), priority: f.get('priority') || undefined,
      tier: f.get('tier') || undefined,
      first_response: f.get('first_response'), next_response: f.get('next_response') || undefined,
      resolution: f.get('resolution') || undefined, calendar, pause_pending: f.get('pause_pending') === 'on',
      warn_at: Number(f.get('warn_at')) || undefined, escalate_team_id: int(f.get('escalate_team_id')),
      escalate_after: f.get('escalate_after') || undefined,
    };
  },
  settings: (f) => ({
    pending_resolve_after: f.get('pending_resolve_after'), resolved_close_after: f.get('resolved_close_after'),
    auto_resolve_message: f.get('auto_resolve_message'), survey_enabled: f.get('survey_enabled') === 'on',
    survey_valid_for: f.get('survey_valid_for'), recovery_threshold: Number(f.get('recovery_threshold')),
  }),
};

export async function send(method, url, body) {
  const res = await fetch(url, {
    method, credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.ok) {
    location.reload();
    return;
  }
  let msg = `The server refused (${res.status}).`;
  try { msg = (await res.json()).error || msg; } catch { /* not JSON */ }
  problem.textContent = msg;
  problem.hidden = false;
  problem.scrollIntoView({ block: 'nearest' });
}

for (const form of document.querySelectorAll('form[data-api]')) {
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    send(form.dataset.method || 'POST', form.dataset.api, bodies[form.dataset.kind](new FormData(form)));
  });
}
for (const b of document.querySelectorAll('[data-delete]')) {
  b.addEventListener('click', () => {
    if (confirm(`${b.getAttribute('aria-label')}?`)) send('DELETE', b.dataset.delete);
  });
}
