// Accounts end to end: an admin deactivates an agent whose inbox is open in another browser,
// and that agent is signed out at once (their socket closes and the page lands on the sign-in
// form); an agent makes an API token on their settings page, uses it, revokes it from the page,
// and the token answers 401.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, browser, login as d, signIn, baseURL } from '../lib/browser.js';

const run = Date.now().toString(36);

useBrowser();

// addAgent creates an agent through the admin page and returns their sign-in.
async function addAgent(admin, name) {
  const email = `${name.toLowerCase().replace(/\W+/g, '-')}-${run}@example.com`;
  const password = `pw-${run}-secret`;
  await admin.goto('/admin/agents');
  await admin.getByLabel('Name', { exact: true }).fill(name);
  await admin.getByLabel('Email', { exact: true }).fill(email);
  await admin.getByLabel('Password (at least 10 characters)').fill(password);
  await admin.getByRole('button', { name: 'Add agent' }).click();
  await admin.locator('tr', { hasText: email }).waitFor();
  return { email, password };
}

// me calls GET /api/v1/me with a bearer token and returns the status.
async function me(token) {
  const res = await fetch(`${baseURL}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
  return res.status;
}

test('a deactivated agent is signed out of their open inbox at once', { timeout: 60_000 }, async () => {
  const admin = await signIn(browser, d.email, d.password);
  const name = `Dora ${run}`;
  const dora = await addAgent(admin, name);
  const agent = await signIn(browser, dora.email, dora.password);
  await agent.goto('/inbox');
  await agent.locator('#live.live-live').waitFor();

  await admin.goto('/admin/agents');
  await admin.getByRole('button', { name: `Deactivate ${name}` }).click();
  await admin.getByText('Agent deactivated').waitFor();
  const row = admin.locator('tr', { hasText: dora.email });
  assert.match(await row.innerText(), /deactivated/);

  // The agent's socket is closed by the server; the page reloads onto the sign-in form.
  await agent.waitForURL((u) => u.pathname === '/login', { timeout: 15_000 });
  // And signing in again is refused.
  await agent.getByLabel('Email').fill(dora.email);
  await agent.getByLabel('Password').fill(dora.password);
  await agent.getByRole('button', { name: 'Sign in' }).click();
  await agent.getByRole('alert').waitFor();
  assert.equal(new URL(agent.url()).pathname, '/login');

  // Activated again, they sign in.
  await admin.getByRole('button', { name: `Activate ${name}` }).click();
  await admin.getByText('Agent activated').waitFor();
  await agent.context().close();
  const back = await signIn(browser, dora.email, dora.password);
  assert.notEqual(new URL(back.url()).pathname, '/login');
  await back.context().close();
  await admin.context().close();
});

test('an agent makes a token on their settings page and revokes it there', { timeout: 60_000 }, async () => {
  const admin = await signIn(browser, d.email, d.password);
  const ed = await addAgent(admin, `Ed ${run}`);
  await admin.context().close();
  const page = await signIn(browser, ed.email, ed.password);
  await page.getByRole('link', { name: 'API tokens' }).click();
  await page.waitForURL((u) => u.pathname === '/settings/tokens');
  const label = `script ${run}`;
  await page.getByLabel('Name').fill(label);
  await page.getByLabel('Expires').selectOption('30');
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = await page.getByLabel('Token', { exact: true }).inputValue();
  assert.match(token, /^pk_/);
  assert.equal(await me(token), 200);

  // Shown once: the list does not show it again.
  await page.goto('/settings/tokens');
  assert.equal(await page.getByLabel('Token', { exact: true }).count(), 0);
  assert.doesNotMatch(await page.content(), new RegExp(token));
  await page.getByRole('button', { name: `Revoke ${label}` }).click();
  await page.getByText('Token revoked').waitFor();
  assert.equal(await page.getByRole('button', { name: `Revoke ${label}` }).count(), 0);
  assert.equal(await me(token), 401);
  await page.context().close();
});
