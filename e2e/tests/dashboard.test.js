// The dashboard's live tiles end to end: a supervisor opens the dashboard and reads open now,
// unassigned now, the longest wait (a link to the conversation) and agents online (their own
// tab counts); a customer writes a new message and "unassigned now" goes up by one without a
// reload; the agents table and the tiles write durations to the second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { useBrowser, browser, login as d, signIn, inbound, artifacts, until, baseURL } from '../lib/browser.js';

const run = Date.now().toString(36);

useBrowser();

// tile reads one live figure of the page as a number.
async function tile(page, key) {
  const text = await page.locator(`#live-tiles [data-live="${key}"]`).textContent();
  assert.match(text, /^\d+$/, `${key} is a number`);
  return Number(text);
}

test('the live tiles show the present and follow a new unassigned message', { timeout: 90_000 }, async () => {
  const page = await signIn(browser, d.email, d.password);
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto('/dashboard?period=1d');
  await page.locator('#live[data-state="live"]').waitFor();

  const tiles = page.locator('#live-tiles');
  for (const label of ['open now', 'unassigned now', 'longest wait', 'agents online']) {
    await tiles.locator('.tile-l', { hasText: label }).waitFor();
  }
  const open = await tile(page, 'open');
  const unassigned = await tile(page, 'unassigned');
  assert.ok(open >= unassigned, `open ${open} >= unassigned ${unassigned}`);
  // The demo leaves customers waiting: the tile links to the longest wait and counts its time.
  const longest = tiles.locator('[data-live="longest"]');
  assert.match(await longest.locator('a').getAttribute('href'), /^\/inbox\/\d+$/);
  assert.match(await longest.locator('time.waited').textContent(), /^(\d+s|\d+m \d{2}s|\d+h \d{2}m|\d+d \d+h)$/);
  // This supervisor's own tab holds an event socket: at least one agent is online.
  assert.ok(await tile(page, 'online') >= 1, 'the signed-in supervisor is online');
  // The agents table's medians read to the second or in hours and minutes, never a bare "1m".
  for (const cell of await page.locator('#agents-title ~ .scroll-x td.num').allTextContents()) {
    assert.doesNotMatch(cell, /^\d+m$/, `agents table cell ${cell}`);
  }
  await page.evaluate(() => { window.notReloaded = true; });

  const res = await inbound(d.token, { external_id: `e2e-dash-${run}`, contact: { name: 'Nina New', email: `nina-${run}@example.com` },
    subject: `Where is my order ${run}`, text: 'Nobody has answered yet.' });
  await until('unassigned now to count the new conversation',
    async () => (await tile(page, 'unassigned')) === unassigned + 1);
  assert.equal(await tile(page, 'open'), open + 1);
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'the tiles updated without a reload');

  // The API agrees, and the new conversation is indeed assigned to nobody.
  const conv = await (await fetch(`${baseURL}/api/v1/conversations/${res.conversation_id}`, {
    headers: { Authorization: `Bearer ${d.token}` },
  })).json();
  assert.equal(conv.assignee_id ?? null, null);
  await page.screenshot({ path: path.join(artifacts, 'dashboard-live.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.context().close();
});
