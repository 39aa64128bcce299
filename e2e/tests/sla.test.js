// The live SLA board end to end: an admin adds a team (admin page), a routing rule that sends
// a keyword to it and an SLA policy with a 5-second first-response target for it (JSON API);
// a supervisor opens the dashboard; a customer writes; with nobody answering, the breach
// appears on the supervisor's board without a reload, with its overdue countdown running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { useBrowser, browser, login as d, signIn, inbound, artifacts, baseURL } from '../lib/browser.js';

const run = Date.now().toString(36);
const password = 'e2e-password-1';
const sup = { name: 'Sam Supervisor', email: `sam-${run}@e2e.example` };
const team = `Escalations ${run}`;
const keyword = `refund-${run}`;

useBrowser();

// api calls the JSON API as the demo admin (its API token).
async function api(method, p, body) {
  const res = await fetch(`${baseURL}${p}`, {
    method,
    headers: { Authorization: `Bearer ${d.token}`, 'Content-Type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

test('a supervisor sees a breach appear on the live SLA board', { timeout: 90_000 }, async () => {
  const admin = await signIn(browser, d.email, d.password);
  await admin.goto('/admin/agents');
  await admin.getByLabel('Name', { exact: true }).fill(sup.name);
  await admin.getByLabel('Email', { exact: true }).fill(sup.email);
  await admin.getByLabel('Role', { exact: true }).selectOption('supervisor');
  await admin.getByLabel('Password (at least 10 characters)').fill(password);
  await admin.getByRole('button', { name: 'Add agent' }).click();
  await admin.getByText('Agent added.').waitFor();
  await admin.goto('/admin/teams');
  await admin.getByLabel('Name', { exact: true }).fill(team);
  await admin.getByRole('button', { name: 'Add team' }).click();
  const teamID = Number((await admin.getByLabel(`Add to ${team}`).getAttribute('id')).replace('add-', ''));
  assert.ok(teamID > 0, 'the new team has an id');
  await admin.context().close();

  await api('POST', '/api/v1/rules', { name: `Refunds ${run}`, keywords: [keyword], set_team: team });
  const policy = await api('POST', '/api/v1/sla/policies', { name: `Escalations ${run}`, team_id: teamID, first_response: '5s' });
  assert.equal(policy.first_response_secs, 5);

  const sam = await signIn(browser, sup.email, password);
  await sam.goto('/dashboard?period=1d');
  await sam.locator('#live[data-state="live"]').waitFor();
  await sam.locator('#sla-body .sla-summary').waitFor();
  await sam.evaluate(() => { window.notReloaded = true; });

  const subject = `Refund not received ${run}`;
  const res = await inbound(d.token, { external_id: `e2e-sla-${run}`, contact: { name: 'Rita Refund', email: `rita-${run}@example.com` },
    subject, text: `I am still waiting for my ${keyword}.` });

  // Nobody answers: within seconds the routed conversation is breached on Sam's board.
  const row = sam.locator(`#sla-body li.sla-row.breached[data-id="${res.conversation_id}"]`);
  await row.waitFor({ timeout: 60_000 });
  await row.getByText(subject).waitFor();
  await sam.locator('#sla-body .sla-team h3', { hasText: team }).waitFor();
  await row.locator('.countdown.overdue', { hasText: /^overdue by \d+s$/ }).waitFor();
  assert.equal(await sam.evaluate(() => window.notReloaded), true, 'the board updated without a reload');

  // The breach is on record, and the inbox row says so.
  const breaches = await api('GET', `/api/v1/sla/breaches?team=${teamID}`);
  assert.equal(breaches.breaches.length, 1);
  assert.equal(breaches.breaches[0].target, 'first_response');
  await sam.goto('/inbox');
  await sam.locator(`#rows li[data-id="${res.conversation_id}"] .sla-due.breached`).waitFor();

  await sam.goto('/dashboard?period=1d');
  await sam.locator(`#sla-body li.sla-row.breached[data-id="${res.conversation_id}"]`).waitFor();
  await sam.screenshot({ path: path.join(artifacts, 'dashboard.png'), fullPage: true });
  await sam.context().close();
});
