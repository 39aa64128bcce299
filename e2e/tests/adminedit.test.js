// Editing on the admin pages end to end: a team is renamed, loses a member and is deleted once
// no rule sends to it (the refusal names the rule); an SLA policy's business hours are edited
// and land on the right day, whose field sits in that day's row on a wide and a phone screen; a
// routing rule is edited from its row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, browser, login as d, signIn, baseURL, addColleague } from '../lib/browser.js';

const run = Date.now().toString(36);

useBrowser();

// api calls the JSON API as the demo admin and returns the parsed body.
async function api(method, path, body) {
  const res = await fetch(`${baseURL}${path}`, {
    method, headers: { Authorization: `Bearer ${d.token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

test('an admin renames a team, removes a member, and deletes it once no rule uses it', { timeout: 90_000 }, async () => {
  const admin = await signIn(browser, d.email, d.password);
  const name = `Edit ${run}`;
  const renamed = `Renamed ${run}`;
  // The member is a colleague of this test's own: putting the demo admin in a team would change
  // the account every other test signs in with, while they run.
  const member = `Edda ${run}`;
  await addColleague(admin, { name: member, email: `edda-${run}@e2e.example`, role: 'agent', password: 'e2e-password-1' });
  await admin.goto('/admin/teams');
  await admin.getByRole('region', { name: 'Add a team' }).getByLabel('Name').fill(name);
  await admin.getByRole('button', { name: 'Add team' }).click();
  await admin.getByText('Team added.').waitFor();
  const team = (n) => admin.locator('article.team', { has: admin.getByRole('heading', { name: n, exact: true }) });

  // Once a member, Edda is no longer offered.
  await team(name).getByLabel(`Add to ${name}`).selectOption({ label: member });
  await team(name).getByRole('button', { name: 'Add', exact: true }).click();
  await admin.getByText('Team members updated.').waitFor();
  await team(name).locator('ul.members li', { hasText: member }).waitFor();
  const offered = await team(name).getByLabel(`Add to ${name}`).locator('option').allInnerTexts();
  assert.ok(!offered.map((s) => s.trim()).includes(member), `${member} is a member yet still offered: ${offered}`);

  await team(name).getByLabel(`New name for ${name}`).fill(renamed);
  await team(name).getByRole('button', { name: 'Rename' }).click();
  await admin.getByText('Team renamed.').waitFor();
  await team(renamed).waitFor();
  assert.equal(await team(name).count(), 0);

  await team(renamed).getByRole('button', { name: `Remove ${member} from ${renamed}` }).click();
  await team(renamed).getByText('No members yet.').waitFor();
  assert.equal(await team(renamed).locator('ul.members li', { hasText: member }).count(), 0);

  // A rule sends to the team: deleting it is refused with the rule's name, and nothing changes.
  const rule = await api('POST', '/api/v1/rules', { name: `To ${renamed}`, keywords: [`edit${run}`], set_team: renamed });
  await team(renamed).getByRole('button', { name: `Delete team ${renamed}` }).click();
  const refusal = admin.locator('p.error[role="alert"]:not([hidden])');
  await refusal.waitFor();
  assert.match(await refusal.innerText(), new RegExp(`cannot be deleted yet.*the routing rule “To ${renamed}”`));
  await admin.goto('/admin/teams');
  await team(renamed).waitFor();

  await api('DELETE', `/api/v1/rules/${rule.id}`);
  await team(renamed).getByRole('button', { name: `Delete team ${renamed}` }).click();
  await admin.getByText('Team deleted.').waitFor();
  assert.equal(await team(renamed).count(), 0);
  await admin.context().close();
});

// sameRow asserts that each day's field sits on its own day's row: beside the day's name, level
// with it, and below the day before.
async function sameRow(page, label) {
  const days = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
  const form = page.getByRole('region', { name: /Add a policy|Edit policy/ });
  let last = -Infinity;
  for (const day of days) {
    const l = await form.getByText(day, { exact: true }).boundingBox();
    const i = await form.getByLabel(day, { exact: true }).boundingBox();
    assert.ok(l && i, `${label}: ${day} is not shown`);
    const mid = l.y + l.height / 2;
    assert.ok(mid >= i.y && mid <= i.y + i.height, `${label}: ${day}'s name (y ${l.y}) is not level with its field (y ${i.y})`);
    assert.ok(i.x > l.x, `${label}: ${day}'s field is not beside its name`);
    assert.ok(i.y > last, `${label}: ${day} is not below the day before`);
    last = i.y;
  }
}

test('an admin edits an SLA policy: Tuesday\'s hours stay on Tuesday, on a wide and a phone screen', { timeout: 90_000 }, async () => {
  const name = `Hours ${run}`;
  await api('POST', '/api/v1/sla/policies', { name, tier: `e2e${run}`, first_response: '4h',
    calendar: { zone: 'Europe/Paris', week: { mon: ['09:00-17:00'], tue: ['09:00-17:00'] } } });
  for (const [label, viewport] of [['1440x900', { width: 1440, height: 900 }], ['390x844', { width: 390, height: 844 }]]) {
    const admin = await signIn(browser, d.email, d.password, viewport);
    await admin.goto('/admin/sla');
    await sameRow(admin, label);
    await admin.context().close();
  }

  const admin = await signIn(browser, d.email, d.password, { width: 1440, height: 900 });
  await admin.goto('/admin/sla');
  await admin.getByRole('button', { name: `Edit policy ${name}` }).click();
  const form = admin.getByRole('region', { name: `Edit policy ${name}` });
  await form.waitFor();
  assert.equal(await form.getByLabel('Tuesday', { exact: true }).inputValue(), '09:00-17:00');
  assert.equal(await form.getByLabel('Time to first response (such as 15m, 4h or 1d 4h)').inputValue(), '4h');
  await sameRow(admin, 'editing at 1440x900');
  await form.getByLabel('Monday', { exact: true }).fill('');
  await form.getByLabel('Tuesday', { exact: true }).fill('08:00-12:00, 13:00-18:00');
  await form.getByLabel('Thursday', { exact: true }).fill('10:00-16:00');
  await form.getByLabel('Time to first response (such as 15m, 4h or 1d 4h)').fill('2h 30m');
  await form.getByRole('button', { name: 'Save policy' }).click();

  const row = admin.locator('tbody tr', { hasText: name });
  await row.locator('td', { hasText: 'Thu 10:00-16:00' }).waitFor();
  await admin.waitForLoadState('load');
  const text = await row.innerText();
  assert.match(text, /Europe\/Paris: Tue 08:00-12:00, 13:00-18:00; Thu 10:00-16:00/);
  assert.doesNotMatch(text, /Mon /);
  assert.match(text, /2h 30m/);

  // Opened again, the form shows each day's hours in that day's field.
  await admin.getByRole('button', { name: `Edit policy ${name}` }).click();
  const again = admin.getByRole('region', { name: `Edit policy ${name}` });
  for (const [day, want] of [['Monday', ''], ['Tuesday', '08:00-12:00, 13:00-18:00'], ['Wednesday', ''], ['Thursday', '10:00-16:00']]) {
    assert.equal(await again.getByLabel(day, { exact: true }).inputValue(), want, `${day}'s field`);
  }
  const policies = await api('GET', '/api/v1/sla/policies');
  const stored = policies.policies.find((p) => p.name === name);
  assert.deepEqual(stored.calendar.week, { tue: ['08:00-12:00', '13:00-18:00'], thu: ['10:00-16:00'] });
  assert.equal(stored.first_response_secs, 9000);

  // A refusal names the field in the form's words, not the API's.
  await again.getByLabel('Time to first response (such as 15m, 4h or 1d 4h)').fill('soon');
  await again.getByRole('button', { name: 'Save policy' }).click();
  const problem = admin.locator('[data-problem]');
  await problem.waitFor();
  assert.match(await problem.innerText(), /Time to first response must be a duration/);
  assert.doesNotMatch(await problem.innerText(), /first_response/);
  await admin.reload();
  await admin.waitForLoadState('load');

  admin.once('dialog', (dialog) => dialog.accept());
  await admin.getByRole('button', { name: `Delete policy ${name}` }).click();
  await row.waitFor({ state: 'detached' });
  await admin.context().close();
});

test('an admin edits a routing rule from its row', { timeout: 60_000 }, async () => {
  const name = `Editable ${run}`;
  await api('POST', '/api/v1/rules', { name, keywords: [`before${run}`], set_priority: 'high' });
  const admin = await signIn(browser, d.email, d.password);
  await admin.goto('/admin/rules');
  await admin.getByRole('button', { name: `Edit rule ${name}` }).click();
  const form = admin.getByRole('region', { name: `Edit rule ${name}` });
  await form.waitFor();
  assert.equal(await form.getByLabel('Keywords (comma separated)').inputValue(), `before${run}`);
  await form.getByLabel('Keywords (comma separated)').fill(`after${run}`);
  await form.getByLabel('Customer tags (comma separated)').fill('vip');
  await form.getByLabel('Add tags (comma separated)').fill('edited');
  await form.getByRole('button', { name: 'Save rule' }).click();
  const row = admin.locator('tr[data-rule]', { hasText: name });
  await row.getByText(`after${run}`, { exact: false }).waitFor();
  const text = await row.innerText();
  assert.doesNotMatch(text, new RegExp(`before${run}`));
  assert.match(text, /customer tags vip/);
  assert.match(text, /tags edited/);
  assert.match(text, /priority high/);
  admin.once('dialog', (dialog) => dialog.accept());
  await admin.getByRole('button', { name: `Delete rule ${name}` }).click();
  await row.waitFor({ state: 'detached' });
  await admin.context().close();
});

test('an admin deletes a contact field after confirming, and a cancel keeps it', { timeout: 60_000 }, async () => {
  const key = `f${run}`.replace(/[^a-z0-9_]/g, '_');
  const label = `Field ${run}`;
  const admin = await signIn(browser, d.email, d.password);
  await admin.goto('/admin/attributes');
  await admin.getByLabel('Key (a-z, 0-9, _)').fill(key);
  await admin.getByLabel('Label', { exact: true }).fill(label);
  await admin.getByRole('button', { name: 'Save attribute' }).click();
  await admin.getByText('Attribute saved.').waitFor();
  await admin.getByLabel(`Edit ${label}`).click();
  admin.once('dialog', (dialog) => dialog.dismiss());
  await admin.getByRole('button', { name: `Delete ${label}` }).click();
  assert.equal(await admin.getByRole('cell', { name: key, exact: true }).count(), 1, 'a cancelled delete kept the field');
  admin.once('dialog', (dialog) => dialog.accept());
  await admin.getByRole('button', { name: `Delete ${label}` }).click();
  await admin.getByText('Field deleted, with its values.').waitFor();
  assert.equal(await admin.getByRole('cell', { name: key, exact: true }).count(), 0);
  await admin.context().close();
});
