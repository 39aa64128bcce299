// Macros (issue 18, item 6), in headless Chromium against `make e2e`'s server: an agent adds a
// macro on the macros page (a reply with placeholders, a tag, a priority, a status); in a
// conversation, m (listed in the ? help) opens the macro dialog and running it sends the reply
// with the placeholders filled and changes the tags, priority and status at once; the composer's
// "/" menu lists the macros too and runs the one chosen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, browser, login as d, signIn, inbound } from '../lib/browser.js';

const run = Date.now().toString(36);

useBrowser();

test('a macro runs from m: reply with placeholders filled, tags, priority and status changed', { timeout: 60_000 }, async () => {
  const page = await signIn(browser, d.email, d.password);
  const name = `Refund ${run}`;
  await page.goto('/macros');
  const form = page.locator('form[action="/macros"]').last();
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Add tags (comma-separated)').fill(`refund-${run}`);
  await form.getByLabel('Priority').selectOption('high');
  await form.getByLabel('Reply to the customer').fill('Hi {{contact.name|there}}, {{agent.name}} here about #{{conversation.id}}.');
  await form.getByLabel('Then set the status').selectOption('pending');
  await form.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Macro saved.').waitFor();
  await page.getByRole('cell', { name, exact: true }).waitFor();

  const res = await inbound(d.token, { external_id: `macro-${run}`, contact: { name: `Mia ${run}`, email: `mia-${run}@example.com` },
    subject: `Macro ${run}`, text: 'Where is my refund?' });
  await page.goto(`/inbox/${res.conversation_id}`);
  await page.locator('#live[data-state="live"]').waitFor();
  const me = await page.evaluate(async () => (await (await fetch('/api/v1/me')).json()).agent.name);

  await page.keyboard.press('?');
  await page.locator('#help').getByText('Run a macro').waitFor();
  await page.keyboard.press('Escape');

  // The composer's "/" menu offers the macros too, and runs the one chosen.
  const tagged = `tagged-${run}`;
  const made = await page.evaluate(async (body) => (await fetch('/api/v1/macros', { method: 'POST',
    headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) })).status,
  { name: `Tag ${run}`, actions: [{ type: 'tags', add: [tagged] }] });
  assert.equal(made, 201);
  await page.locator('#reply-text').fill(`/${run}`);
  await page.locator('#canned-menu li', { hasText: name }).waitFor();
  await page.locator('#canned-menu li', { hasText: `Tag ${run}` }).dispatchEvent('mousedown');
  await page.locator('#conv-head .tag', { hasText: tagged }).waitFor();
  assert.equal(await page.locator('#reply-text').inputValue(), '', 'the "/word" is taken out of the reply');
  await page.locator('#reply-text').press('Escape');

  await page.keyboard.press('m');
  const dialog = page.getByRole('dialog', { name: 'Run a macro' });
  await dialog.getByRole('button', { name, exact: true }).click();
  await page.locator('#timeline').getByText(`Hi Mia ${run}, ${me} here about #${res.conversation_id}.`).waitFor();
  await page.locator('#conv-status', { hasText: 'pending' }).waitFor();
  await page.locator('#conv-head .tag', { hasText: `refund-${run}` }).waitFor();
  await page.locator('#conv-head .chip.pr-high').waitFor();
  assert.equal(await dialog.isVisible(), false);
  await page.context().close();
});
