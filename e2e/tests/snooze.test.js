// Snooze (issue 18, item 4), in headless Chromium against `make e2e`'s server: z opens the
// snooze dialog (listed in the ? help); a moment a few seconds ahead, chosen in the dialog, sets
// the conversation aside and the server's timer (a River job at that instant, on the real clock)
// brings it back to open on the open page; the presets are reckoned in the browser's time zone
// (the context's, Asia/Tokyo here) and sent as an instant; a customer's message wakes it early.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, browser, login as d, signIn, inbound } from '../lib/browser.js';

const run = Date.now().toString(36);

useBrowser();

async function openConversation(page, tag) {
  const res = await inbound(d.token, { external_id: `snooze-${run}-${tag}`, contact: { name: `Sid ${tag}`, email: `sid-${tag}-${run}@example.com` },
    subject: `Snooze ${tag} ${run}`, text: `Hello, question ${tag}.` });
  await page.goto(`/inbox/${res.conversation_id}`);
  await page.locator('#live[data-state="live"]').waitFor();
  return res;
}

test('z snoozes until a moment a few seconds ahead, and the timer wakes it on the open page', { timeout: 60_000 }, async () => {
  const page = await signIn(browser, d.email, d.password);
  await openConversation(page, 'timer');
  await page.keyboard.press('?');
  await page.locator('#help').getByText('Snooze').waitFor();
  await page.keyboard.press('Escape');

  await page.keyboard.press('z');
  const dialog = page.getByRole('dialog', { name: 'Snooze until' });
  await dialog.waitFor();
  // A datetime-local value in the browser's zone, 4 seconds ahead of its clock.
  const soon = await page.evaluate(() => {
    const t = new Date(Date.now() + 4000);
    const p = (n) => String(n).padStart(2, '0');
    return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())}T${p(t.getHours())}:${p(t.getMinutes())}:${p(t.getSeconds())}`;
  });
  await dialog.getByLabel('A moment of your choice (your time zone)').fill(soon);
  await dialog.getByRole('button', { name: 'Snooze', exact: true }).click();
  await page.locator('#snoozed-until').waitFor();
  assert.equal(await page.locator('#conv-status').textContent(), 'snoozed');
  await page.locator('#timeline').getByText(/snoozed the conversation until/).waitFor();

  // River's scheduler makes the job due within its tick; the page follows the live event.
  await page.locator('#timeline').getByText('Woke: the snooze time was reached').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('#conv-status').textContent(), 'open');
  assert.equal(await page.locator('#snoozed-until').count(), 0);
  await page.context().close();
});

test('presets are reckoned in the browser\'s time zone, and the customer wakes it early', { timeout: 60_000 }, async () => {
  const page = await signIn(browser, d.email, d.password, undefined, { timezoneId: 'Asia/Tokyo' });
  const conv = await openConversation(page, 'customer');
  await page.getByRole('button', { name: 'Snooze', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Snooze until' });
  const sent = page.waitForRequest((r) => r.url().endsWith(`/conversations/${conv.conversation_id}/snooze`));
  await dialog.getByRole('button', { name: 'Tomorrow 9:00' }).click();
  const until = new Date(JSON.parse((await sent).postData()).until);
  const tokyo = (t) => new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Tokyo', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(t);
  const tomorrow = tokyo(new Date(Date.now() + 24 * 3600 * 1000)).slice(0, 10);
  assert.equal(tokyo(until), `${tomorrow}, 09:00`, 'tomorrow at 9:00 in Tokyo');
  await page.locator('#snoozed-until').waitFor();

  await inbound(d.token, { external_id: `snooze-${run}-customer-again`, contact: { email: `sid-customer-${run}@example.com` }, text: 'Any news?' });
  await page.locator('#timeline').getByText('Woke: the customer replied').waitFor();
  assert.equal(await page.locator('#conv-status').textContent(), 'open');

  // Snoozed again, "Wake now" brings it back at once.
  await page.keyboard.press('z');
  await dialog.getByRole('button', { name: 'In 1 hour' }).click();
  await page.locator('#snoozed-until').waitFor();
  await page.getByRole('button', { name: 'Wake now' }).click();
  await page.locator('#timeline').getByText(/Woke: .* set the status to open/).waitFor();
  assert.equal(await page.locator('#conv-status').textContent(), 'open');
  await page.context().close();
});
