// Categories, resolution codes, the complaint register and the SLA breach log, in Chromium: an
// admin adds a complaint category; an agent's view sets it on a conversation and resolving asks
// for a resolution code; the register shows the complaint's stages; the breach log filters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, browser, login as d, signIn, inbound } from '../lib/browser.js';

const run = Date.now().toString(36);
const parent = `Parcel ${run}`;
let conversationId = 0;

useBrowser();

test('a category and a resolution code are set in the conversation view', { timeout: 60_000 }, async () => {
  const admin = await signIn(browser, d.email, d.password);
  await admin.goto('/admin/categories');
  const add = admin.getByRole('region', { name: 'Add a category' });
  await add.getByLabel('Name').fill(parent);
  await add.getByRole('button', { name: 'Add category' }).click();
  await admin.getByText('Category saved.').waitFor();
  await add.getByLabel('Name').fill('Crushed');
  await add.getByLabel('Under').selectOption({ label: parent });
  await add.getByLabel('A complaint').check();
  await add.getByRole('button', { name: 'Add category' }).click();
  await admin.getByText('Category saved.').waitFor();
  await admin.getByRole('cell', { name: `${parent} › Crushed`, exact: true }).waitFor();

  const sent = await inbound(d.token, { external_id: `e2e-cat-${run}`, contact: { email: `cat-${run}@example.com` },
    subject: `Crushed box ${run}`, text: 'The parcel arrived crushed.' });
  conversationId = sent.conversation_id;
  await admin.goto(`/inbox/${conversationId}`);
  await admin.locator('#conv-category-select').selectOption({ label: `${parent} › Crushed (complaint)` });
  await admin.locator('#timeline').getByText(`set the category to ${parent} › Crushed`).waitFor();

  // The keyboard: c focuses the category; e resolves, which asks how the complaint was settled.
  await admin.locator('#timeline').click();
  await admin.keyboard.press('c');
  assert.equal(await admin.evaluate(() => document.activeElement?.id), 'conv-category-select');
  await admin.locator('#timeline').click();
  await admin.keyboard.press('e');
  const dialog = admin.getByRole('dialog', { name: 'Resolve this complaint' });
  await dialog.waitFor();
  await dialog.getByLabel('Resolution code').selectOption({ label: 'Replacement' });
  await dialog.getByRole('button', { name: 'Resolve' }).click();
  await admin.locator('#timeline').getByText('set the resolution code to Replacement').waitFor();
  await admin.locator('#conv-status', { hasText: 'resolved' }).waitFor();
  await admin.context().close();
});

test('"Send & resolve" on a complaint asks for the code, then sends the reply with it', { timeout: 60_000 }, async () => {
  const admin = await signIn(browser, d.email, d.password);
  const sent = await inbound(d.token, { external_id: `e2e-cat-send-${run}`, contact: { email: `cat-send-${run}@example.com` },
    subject: `Crushed again ${run}`, text: 'Crushed again.' });
  await admin.goto(`/inbox/${sent.conversation_id}`);
  await admin.locator('#conv-category-select').selectOption({ label: `${parent} › Crushed (complaint)` });
  await admin.locator('#timeline').getByText(`set the category to ${parent} › Crushed`).waitFor();
  await admin.locator('#reply-text').fill(`We are sending a new one, ${run}.`);
  await admin.getByRole('button', { name: 'Send & resolve' }).click();
  const dialog = admin.getByRole('dialog', { name: 'Resolve this complaint' });
  await dialog.waitFor();
  // Cancel keeps the draft and sends nothing.
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await admin.locator('#reply-text').inputValue(), `We are sending a new one, ${run}.`);
  assert.equal(await admin.locator('#timeline').getByText(`We are sending a new one, ${run}.`).count(), 0);
  await admin.getByRole('button', { name: 'Send & resolve' }).click();
  await dialog.getByLabel('Resolution code').selectOption({ label: 'Replacement' });
  await dialog.getByRole('button', { name: 'Resolve' }).click();
  await admin.locator('#timeline').getByText(`We are sending a new one, ${run}.`).waitFor();
  await admin.locator('#timeline').getByText('set the resolution code to Replacement').waitFor();
  await admin.locator('#conv-status', { hasText: 'resolved' }).waitFor();
  assert.equal(await admin.locator('#composer-error').isHidden(), true);
  await admin.context().close();
});

test('the complaint register shows the complaint and its stages', { timeout: 60_000 }, async () => {
  assert.ok(conversationId, 'the first test made the complaint');
  const sup = await signIn(browser, d.email, d.password);
  await sup.goto('/complaints');
  await sup.getByLabel('Stage').selectOption('resolved');
  await sup.getByRole('button', { name: 'Filter' }).click();
  await sup.waitForURL(/stage=resolved/);
  const row = sup.locator(`#complaints tr[data-conversation="${conversationId}"]`);
  await row.waitFor();
  assert.equal(await row.locator('td.stage').innerText(), 'Resolved');
  const stages = await row.locator('ol.stages li').allInnerTexts();
  assert.equal(stages[0].split(':')[0], 'Received');
  assert.equal(stages.at(-1).split(':')[0], 'Resolved');
  assert.match(await row.innerText(), /Replacement/);
  await row.getByRole('link').click();
  await sup.waitForURL(new RegExp(`/inbox/${conversationId}$`));
  await sup.context().close();
});

test('the SLA breach log loads with a filter', { timeout: 30_000 }, async () => {
  const sup = await signIn(browser, d.email, d.password);
  await sup.goto('/sla/breaches');
  await sup.getByLabel('Kind').selectOption('first_response');
  await sup.getByRole('button', { name: 'Filter' }).click();
  await sup.waitForURL(/target=first_response/);
  await sup.getByRole('heading', { name: /SLA breaches/ }).waitFor();
  for (const kind of await sup.locator('#breaches tbody tr[data-conversation] td:nth-child(2)').allInnerTexts()) {
    assert.equal(kind, 'First response');
  }
  const csv = await sup.locator('a.csv').getAttribute('href');
  assert.match(csv, /^\/sla\/breaches\.csv\?.*target=first_response/);
  await sup.context().close();
});
