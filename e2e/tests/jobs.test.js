// River's job view and the Problems page: an admin opens /admin/jobs/ (River's own UI, served by
// Parley behind the admin check) and sees its jobs; an agent is refused it; the Problems page
// is linked beside it and says, in plain words, whether anything needs a person.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, browser, login as d, signIn } from '../lib/browser.js';

const run = Date.now().toString(36);
const password = 'a-long-enough-passphrase';

useBrowser();

test('the jobs page loads for an admin and refuses an agent', { timeout: 60_000 }, async () => {
  const admin = await signIn(browser, d.email, d.password);
  const agent = { name: 'Jobless Agent', email: `jobless-${run}@e2e.example` };
  await admin.goto('/admin/agents');
  await admin.getByLabel('Name', { exact: true }).fill(agent.name);
  await admin.getByLabel('Email', { exact: true }).fill(agent.email);
  await admin.getByLabel('Role', { exact: true }).selectOption('agent');
  await admin.getByLabel('Password (at least 10 characters)').fill(password);
  await admin.getByRole('button', { name: 'Add agent' }).click();
  await admin.getByText('Agent added.').waitFor();

  // River's UI is a single-page app: it loads, asks its API (under /admin/jobs/api) and lists
  // the demo's jobs by state.
  const asked = admin.waitForResponse((r) => r.url().includes('/admin/jobs/api/'));
  await admin.getByRole('link', { name: 'Jobs' }).click();
  await admin.waitForURL(/\/admin\/jobs\//);
  assert.equal((await asked).status(), 200);
  await admin.locator('text=/Completed|Available/ >> visible=true').first().waitFor();
  assert.equal(await admin.title(), 'River');

  await admin.goto('/admin/problems');
  await admin.getByRole('heading', { name: 'Problems' }).waitFor();
  assert.match(await admin.locator('main').innerText(), /Nothing needs you|failed for good|not being read|skipped/);
  await admin.context().close();

  const page = await signIn(browser, agent.email, password);
  const res = await page.goto('/admin/jobs/');
  assert.equal(res.status(), 403);
  assert.doesNotMatch(await page.content(), /<title>River<\/title>/);
  const api = await page.request.get('/admin/jobs/api/jobs?state=available');
  assert.equal(api.status(), 403);
  await page.context().close();
});
