// admin.js: the routing-rule and SLA admin pages. Their forms send JSON to the admin APIs
// (the session cookie and the server's cross-origin check guard them), then reload the page;
// a refusal is shown above the list, the form kept as typed.
import { t } from './i18n.js';
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
  settings: (f) => ({
    pending_resolve_after: f.get('pending_resolve_after'), resolved_close_after: f.get('resolved_close_after'),
    auto_resolve_message: f.get('auto_resolve_message'), survey_enabled: f.get('survey_enabled') === 'on',
    survey_valid_for: f.get('survey_valid_for'), recovery_threshold: Number(f.get('recovery_threshold')),
  }),
};

// plain says a refusal in the page's words: a field's API name ("first_response") becomes its
// label on the page ("Time to first response"), or at least loses its underscores.
function plain(msg) {
  return msg.replace(/\b[a-z]+(?:_[a-z]+)+\b/g, (name) => {
    const label = document.querySelector(`[name="${name}"]`)?.labels?.[0];
    const text = label ? label.textContent.replace(/\s*\(.*\)\s*$/, '').trim() : '';
    return text || name.replaceAll('_', ' ');
  });
}

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
  let msg = t('js.common.refused', { status: res.status });
  try { msg = (await res.json()).error || msg; } catch { /* not JSON */ }
  problem.textContent = plain(msg);
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
    if (confirm(t('js.admin.confirm', { action: b.getAttribute('aria-label') }))) send('DELETE', b.dataset.delete);
  });
}
