// The audit log page end to end: an admin adds a team, finds the change on /admin/audit by
// filtering on its kind, follows the target's link to the teams page, and the CSV link carries
// the same filter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, browser, login as d, signIn } from '../lib/browser.js';

const run = Date.now().toString(36);

useBrowser();

test('an admin finds their team change in the audit log and follows it to the team', { timeout: 60_000 }, async () => {
  const admin = await signIn(browser, d.email, d.password);
  const name = `Audit ${run}`;
  await admin.goto('/admin/teams');
  await admin.getByLabel('Name', { exact: true }).fill(name);
  await admin.getByRole('button', { name: 'Add team' }).click();
  await admin.getByRole('heading', { name }).waitFor();

  await admin.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Audit log' }).click();
  await admin.getByRole('heading', { name: /Audit log/ }).waitFor();
  const filters = admin.getByRole('form', { name: 'Filters' });
  await filters.getByLabel('Kind').fill('team.*');
  await filters.getByLabel('Actor').fill(d.email);
  await filters.getByRole('button', { name: 'Filter' }).click();
  await admin.waitForURL(/kind=team\.\*/);
  const row = admin.locator('tbody tr', { hasText: name });
  await row.waitFor();
  assert.match(await row.innerText(), /team\.changed/);
  assert.match(await row.innerText(), new RegExp(d.email.replace(/[.]/g, '\\.')));
  const csv = await admin.getByRole('link', { name: 'CSV' }).getAttribute('href');
  assert.match(csv, /^\/admin\/audit\.csv\?/);
  assert.match(csv, /kind=team\.%2A|kind=team\.\*/);

  await row.getByRole('link', { name: /^team:\d+$/ }).click();
  await admin.waitForURL(/\/admin\/teams$/);
  await admin.getByRole('heading', { name }).waitFor();
  await admin.context().close();
});
