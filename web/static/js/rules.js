// rules.js: the routing rules page's rule form, which adds a rule (POST /api/v1/rules) or, after
// a row's "edit", replaces that rule (PUT /api/v1/rules/{id}). admin.js sends and shows refusals.
import { send, list } from './admin.js';
import { t } from './i18n.js';

const form = document.querySelector('form[data-rule-form]');
const title = document.querySelector('[data-rule-title]');
const submit = form.querySelector('[data-rule-submit]');
const cancel = form.querySelector('[data-rule-cancel]');
const addAttr = form.querySelector('[data-add-attr]');
let editing = 0;

const chosen = (name) => [...form.elements[name].selectedOptions].map((o) => o.value).filter(Boolean);
const ids = (name) => chosen(name).map(Number);
const int = (v) => (v ? Number(v) : undefined);
const rows = () => [...form.querySelectorAll('[data-attr-row]')];

// attrRow adds an attribute condition row after the last, its labels tied to fresh ids.
function attrRow() {
  const last = rows().at(-1);
  const row = last.cloneNode(true);
  const n = rows().length + 1;
  for (const el of row.querySelectorAll('[id]')) {
    const id = el.id.replace(/-\d+$/, `-${n}`);
    row.querySelector(`label[for="${el.id}"]`).htmlFor = id;
    el.id = id;
  }
  for (const el of row.querySelectorAll('input')) el.value = '';
  for (const el of row.querySelectorAll('select')) el.selectedIndex = 0;
  last.after(row);
  return row;
}

function body() {
  const f = new FormData(form);
  const attributes = rows().map((row) => {
    const key = row.querySelector('[name="attr_key"]').value;
    const op = row.querySelector('[name="attr_op"]').value;
    const value = row.querySelector('[name="attr_value"]').value.trim();
    return op === 'in' ? { key, op, values: list(value) } : { key, op, value };
  }).filter((c) => c.key);
  return {
    name: f.get('name'), rule_set: f.get('rule_set') || undefined, position: int(f.get('position')),
    inbox_ids: ids('inbox_ids'), channels: chosen('channels'), keywords: list(f.get('keywords')),
    contact_tags: list(f.get('contact_tags')), tiers: list(f.get('tiers')), priorities: chosen('priorities'),
    company_ids: ids('company_ids'), attributes,
    set_team_id: int(f.get('set_team_id')), set_priority: f.get('set_priority') || undefined,
    set_category: f.get('set_category') || undefined, set_tags: list(f.get('set_tags')),
  };
}

function choose(name, values) {
  const want = (values || []).map(String);
  for (const o of form.elements[name].options) o.selected = want.includes(o.value);
}

// load fills the form with a stored rule and turns it into that rule's edit form.
function load(rule) {
  const el = form.elements;
  el.name.value = rule.name;
  el.rule_set.value = rule.rule_set;
  el.position.value = rule.position;
  choose('inbox_ids', rule.inbox_ids);
  choose('channels', rule.channels);
  choose('priorities', rule.priorities);
  choose('company_ids', rule.company_ids);
  el.keywords.value = (rule.keywords || []).join(', ');
  el.contact_tags.value = (rule.contact_tags || []).join(', ');
  el.tiers.value = (rule.tiers || []).join(', ');
  for (const row of rows().slice(1)) row.remove();
  const first = rows()[0];
  first.querySelector('[name="attr_key"]').value = '';
  first.querySelector('[name="attr_op"]').value = 'eq';
  first.querySelector('[name="attr_value"]').value = '';
  (rule.attributes || []).forEach((c, i) => {
    const row = i === 0 ? first : attrRow();
    row.querySelector('[name="attr_key"]').value = c.key;
    row.querySelector('[name="attr_op"]').value = c.op;
    row.querySelector('[name="attr_value"]').value = (c.values || []).join(', ');
  });
  el.set_team_id.value = rule.set_team_id || '';
  el.set_priority.value = rule.set_priority || '';
  el.set_category.value = rule.set_category || '';
  el.set_tags.value = (rule.set_tags || []).join(', ');
  editing = rule.id;
  title.textContent = t('js.rules.edit', { name: rule.name });
  submit.textContent = t('js.rules.save');
  cancel.hidden = false;
  el.name.focus();
  form.scrollIntoView({ block: 'start' });
}

form.addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (editing) send('PUT', `/api/v1/rules/${editing}`, body());
  else send('POST', '/api/v1/rules', body());
});
cancel.addEventListener('click', () => location.reload());
addAttr.addEventListener('click', () => attrRow().querySelector('select').focus());
// The page renders the Edit buttons disabled: one pressed before this script ran would do
// nothing.
for (const b of document.querySelectorAll('[data-edit-rule]')) {
  b.addEventListener('click', () => load(JSON.parse(b.closest('tr').dataset.ruleJson)));
  b.disabled = false;
}
