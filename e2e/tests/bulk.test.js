// Bulk actions on the inbox list, in Chromium: three new conversations are selected with a
// click and shift-x (a range), assigned in one go; then * selects the page and shift-s reaches
// the status, set for all three. The list updates live; the API confirms each change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, browser, login as d, signIn, inbound, baseURL } from '../lib/browser.js';

const run = Date.now().toString(36);

useBrowser();

test('select conversations in the list, assign them and change their status at once', { timeout: 60_000 }, async () => {
  const ids = [];
  for (let i = 0; i < 3; i++) {
    const sent = await inbound(d.token, { external_id: `e2e-bulk-${run}-${i}`, contact: { email: `bulk-${run}-${i}@example.com` },
      subject: `Bulk ${run} ${i}`, text: `Where is order ${run}-${i}?` });
    ids.push(sent.conversation_id);
  }
  const page = await signIn(browser, d.email, d.password);
  await page.goto(`/inbox?view=all&q=${run}`);
  await page.locator('#live[data-state="live"]').waitFor();
  const rows = page.locator('#rows li.row');
  await page.waitForFunction((n) => document.querySelectorAll('#rows li.row').length === n, 3);
  const bar = page.getByRole('region', { name: 'Bulk actions' });
  assert.equal(await bar.isVisible(), false, 'no bar without a selection');

  // A click on the first row's box, then shift-x on the last row: the range, all three.
  await rows.nth(0).getByRole('checkbox').click();
  await bar.waitFor();
  await rows.nth(2).locator('a').focus();
  await page.keyboard.press('Shift+X');
  await page.locator('#bulk-count', { hasText: '3 selected' }).waitFor();
  // shift-click unselects a range the same way (the last two); x on the focused box selects it
  // again, a click the last.
  await rows.nth(1).getByRole('checkbox').click({ modifiers: ['Shift'] });
  await page.locator('#bulk-count', { hasText: '1 selected' }).waitFor();
  await page.keyboard.press('x');
  await page.locator('#bulk-count', { hasText: '2 selected' }).waitFor();
  await rows.nth(2).getByRole('checkbox').check();
  await page.locator('#bulk-count', { hasText: '3 selected' }).waitFor();

  const name = await page.evaluate(() => document.body.dataset.agentName);
  await bar.getByLabel('Assign to').selectOption('me');
  await bar.getByRole('button', { name: 'Assign' }).click();
  await page.getByText('3 of 3 conversations changed.').waitFor();
  for (const id of ids) {
    await page.locator(`#rows li[data-id="${id}"] .assignee`, { hasText: name }).waitFor();
  }
  assert.equal(await bar.isVisible(), false, 'the changed leave the selection');

  // * selects the page; shift-s goes to the status.
  await rows.nth(0).locator('a').focus();
  await page.keyboard.press('*');
  await page.locator('#bulk-count', { hasText: '3 selected' }).waitFor();
  await page.keyboard.press('Shift+S');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'bulk-status');
  await bar.getByLabel('Status').selectOption('pending');
  await bar.getByRole('button', { name: 'Set status' }).click();
  for (const id of ids) {
    await page.locator(`#rows li[data-id="${id}"] .chip.st-pending`).waitFor();
  }
  // Through the API (the newest activity first): the three are pending and the caller's.
  const auth = { headers: { Authorization: `Bearer ${d.token}` } };
  const list = await (await fetch(`${baseURL}/api/v1/conversations?assignee=me&status=pending&limit=100`, auth)).json();
  for (const id of ids) {
    const c = list.conversations.find((x) => x.id === id);
    assert.ok(c, `conversation ${id} is pending and assigned to ${name}`);
  }
  await page.context().close();
});
