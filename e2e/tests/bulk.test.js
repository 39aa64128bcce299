// Bulk actions on the inbox list, in Chromium: four new conversations (one of them closed) are
// selected with a click and shift-x (a range), shift-click and x, and assigned in one go; then *
// selects the page and shift-s reaches the status: three are set, the closed one is refused and
// listed with the reason, still selected, until Escape clears the selection. The list updates
// live; the API confirms each change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, browser, login as d, signIn, inbound, baseURL } from '../lib/browser.js';

const run = Date.now().toString(36);

useBrowser();

test('select conversations in the list, assign them and change their status at once', { timeout: 60_000 }, async () => {
  const auth = { Authorization: `Bearer ${d.token}`, 'Content-Type': 'application/json' };
  const ids = [];
  for (let i = 0; i < 4; i++) {
    const sent = await inbound(d.token, { external_id: `e2e-bulk-${run}-${i}`, contact: { email: `bulk-${run}-${i}@example.com` },
      subject: `Bulk ${run} ${i}`, text: `Where is order ${run}-${i}?` });
    ids.push(sent.conversation_id);
  }
  const closed = ids[3];
  const res = await fetch(`${baseURL}/api/v1/conversations/${closed}/status`, { method: 'POST', headers: auth, body: '{"status":"closed"}' });
  assert.equal(res.status, 200);

  const page = await signIn(browser, d.email, d.password);
  await page.goto(`/inbox?view=all&status=any&q=${run}`);
  await page.locator('#live[data-state="live"]').waitFor();
  const rows = page.locator('#rows li.row');
  await page.waitForFunction((n) => document.querySelectorAll('#rows li.row').length === n, 4);
  const bar = page.getByRole('region', { name: 'Bulk actions' });
  assert.equal(await bar.count(), 0, 'no bar without a selection');

  // A click on the first row's box, then shift-x on the last row: the range, all four.
  await rows.nth(0).getByRole('checkbox').click();
  await bar.waitFor();
  await rows.nth(3).locator('a').focus();
  await page.keyboard.press('Shift+X');
  await page.locator('#bulk-count', { hasText: '4 selected' }).waitFor();
  // shift-click unselects a range the same way (the last three); x on the focused box selects it
  // again, clicks the last two.
  await rows.nth(1).getByRole('checkbox').click({ modifiers: ['Shift'] });
  await page.locator('#bulk-count', { hasText: '1 selected' }).waitFor();
  await page.keyboard.press('x');
  await page.locator('#bulk-count', { hasText: '2 selected' }).waitFor();
  await rows.nth(2).getByRole('checkbox').check();
  await rows.nth(3).getByRole('checkbox').check();
  await page.locator('#bulk-count', { hasText: '4 selected' }).waitFor();

  const name = await page.evaluate(() => document.body.dataset.agentName);
  await bar.getByLabel('Assign to').selectOption('me');
  await bar.getByRole('button', { name: 'Assign' }).click();
  await page.getByText('4 of 4 conversations changed.').waitFor();
  for (const id of ids) {
    await page.locator(`#rows li[data-id="${id}"] .assignee`, { hasText: name }).waitFor();
  }
  assert.equal(await bar.count(), 0, 'the changed leave the selection, and the bar goes');

  // * selects the page; shift-s goes to the status. The closed conversation refuses.
  await rows.nth(0).locator('a').focus();
  await page.keyboard.press('*');
  await page.locator('#bulk-count', { hasText: '4 selected' }).waitFor();
  await page.keyboard.press('Shift+S');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'bulk-status');
  await bar.getByLabel('Status').selectOption('pending');
  await bar.getByRole('button', { name: 'Set status' }).click();
  await page.getByText('3 of 4 conversations changed; 1 not').waitFor();
  for (const id of ids.slice(0, 3)) {
    await page.locator(`#rows li[data-id="${id}"] .chip.st-pending`).waitFor();
  }
  await page.locator('#bulk-count', { hasText: '1 selected' }).waitFor();
  const refused = bar.getByRole('list', { name: 'Not changed' });
  await refused.getByText('closed').waitFor();
  assert.equal(await refused.getByRole('link').innerText(), `#${closed}`);
  await page.keyboard.press('Escape');
  await page.waitForFunction(() => !document.getElementById('bulk-bar'));

  // Through the API (the newest activity first): three pending and the caller's, one closed.
  const list = await (await fetch(`${baseURL}/api/v1/conversations?assignee=me&status=pending,closed&limit=100`, { headers: auth })).json();
  for (const id of ids) {
    const c = list.conversations.find((x) => x.id === id);
    assert.equal(c?.status, id === closed ? 'closed' : 'pending', `conversation ${id} is assigned to ${name}`);
  }
  await page.context().close();
});
