// The routing-rule and SLA admin pages end to end: an admin adds a rule through its form and
// a customer's message is routed by it; a refused SLA policy shows the server's reason and
// keeps the form as typed; a policy with business hours is added and listed; the rule is
// deleted from its table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, browser, login as d, signIn, inbound, baseURL, until } from '../lib/browser.js';

const run = Date.now().toString(36);

useBrowser();

// conversation reads a conversation through the JSON API as the demo admin.
async function conversation(id) {
  const res = await fetch(`${baseURL}/api/v1/conversations/${id}`, { headers: { Authorization: `Bearer ${d.token}` } });
  assert.equal(res.status, 200);
  return res.json();
}

test('an admin routes by a rule added on the rules page, then deletes it', { timeout: 60_000 }, async () => {
  const admin = await signIn(browser, d.email, d.password);
  const name = `Chargebacks ${run}`;
  const keyword = `chargeback${run}`;
  await admin.goto('/admin/rules');
  const form = admin.getByRole('region', { name: 'Add a rule' });
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Keywords (comma separated)').fill(keyword);
  await form.getByLabel('Set priority').selectOption('urgent');
  await form.getByLabel('Set category').fill('billing');
  await form.getByRole('button', { name: 'Add rule' }).click();
  const row = admin.locator('tr[data-rule]', { hasText: name });
  await row.waitFor();
  assert.match(await row.innerText(), new RegExp(`“${keyword}”`));
  assert.match(await row.innerText(), /priority urgent/);

  // A customer writes the keyword: the route job applies the rule.
  const sent = await inbound(d.token, { external_id: `e2e-rule-${run}`, contact: { email: `dana-${run}@example.com` },
    subject: 'Card statement', text: `I see a ${keyword} on my statement.` });
  const routed = await until('the conversation to be routed', async () => {
    const c = await conversation(sent.conversation_id);
    return c.priority === 'urgent' && c;
  });
  assert.equal(routed.category, 'Billing');

  // Delete the rule from its row (the page asks first).
  admin.once('dialog', (dialog) => dialog.accept());
  await admin.getByRole('button', { name: `Delete rule ${name}` }).click();
  await row.waitFor({ state: 'detached' });
  await admin.context().close();
});

test('an admin adds an SLA policy with business hours, after a refusal that keeps the form', { timeout: 60_000 }, async () => {
  const admin = await signIn(browser, d.email, d.password);
  const name = `Low priority ${run}`;
  await admin.goto('/admin/sla');
  const form = admin.getByRole('region', { name: 'Add a policy' });
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Priority', { exact: true }).selectOption('low');
  await form.getByLabel('Time to first response (such as 15m, 4h or 1d 4h)').fill('soon');
  await form.getByLabel('Time zone (such as Europe/Paris; empty: UTC)').fill('Europe/Paris');
  await form.getByLabel('Monday', { exact: true }).fill('09:00-12:00, 13:00-17:00');
  await form.getByRole('button', { name: 'Add policy' }).click();

  // "soon" is not a duration: the reason is shown and nothing typed is lost.
  const problem = admin.locator('[data-problem]');
  await problem.waitFor();
  assert.match(await problem.innerText(), /first_response|first response|duration/i);
  assert.equal(await form.getByLabel('Name', { exact: true }).inputValue(), name);
  assert.equal(await admin.locator('tbody tr', { hasText: name }).count(), 0);

  await form.getByLabel('Time to first response (such as 15m, 4h or 1d 4h)').fill('4h');
  await form.getByRole('button', { name: 'Add policy' }).click();
  const row = admin.locator('tbody tr', { hasText: name });
  await row.waitFor();
  const text = await row.innerText();
  assert.match(text, /any team, low/);
  assert.match(text, /Europe\/Paris/);
  assert.match(text, /4h|4 h/);
  await admin.context().close();
});
