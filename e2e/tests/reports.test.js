// The dashboard's filters end to end: the admin opens the dashboard, sees the CSAT cross table
// (category x channel x team x agent x SLA met) and its CSV, picks one channel in the filter
// bar and the figures change to that channel's: the conversations tile, the channel table and
// every cross-table row; clearing the filters brings the whole back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { useBrowser, browser, login as d, signIn, artifacts } from '../lib/browser.js';

useBrowser();

// total reads the conversations tile.
async function total(page) {
  const text = await page.locator('.tile', { hasText: 'conversations' }).locator('.tile-n').first().textContent();
  assert.match(text, /^\d+$/);
  return Number(text);
}

test('the dashboard filters change the figures', { timeout: 60_000 }, async () => {
  const page = await signIn(browser, d.email, d.password);
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  await page.goto('/dashboard?period=30d');

  const cross = page.locator('#csat-cross');
  await cross.getByRole('heading', { name: /Satisfaction by category, channel, team, agent and SLA/ }).waitFor();
  const rows = cross.locator('tbody tr');
  assert.ok(await rows.count() >= 1, 'the cross table has rows');
  // Its CSV opens, with its header.
  const href = await cross.locator('a.csv').getAttribute('href');
  const csv = await page.request.get(href);
  assert.equal(csv.status(), 200);
  assert.match(csv.headers()['content-type'], /^text\/csv/);
  assert.match(await csv.text(), /^category,channel,team_id,team,agent_id,agent,sla_met,answers,average,satisfied,satisfied_percent\n/);

  // The channel with the fewest conversations, as the unfiltered channel table counts them.
  const all = await total(page);
  const byChannel = await page.locator('section:has(#ch-title) tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
  assert.ok(byChannel.length >= 2, `the demo has several channels: ${JSON.stringify(byChannel)}`);
  const [label, count] = byChannel.reduce((a, b) => (Number(b[1]) < Number(a[1]) ? b : a));
  assert.ok(Number(count) < all, `${label} has fewer conversations (${count}) than all (${all})`);

  await page.locator('select[name="channel"]').selectOption({ label });
  await page.waitForURL(/[?&]channel=/);
  assert.equal(await total(page), Number(count), `the tile counts ${label}'s conversations only`);
  const channels = await page.locator('section:has(#ch-title) tbody tr td:first-child').allTextContents();
  assert.deepEqual(channels, [label]);
  for (const cell of await cross.locator('tbody tr td:nth-child(2)').allTextContents()) {
    assert.equal(cell, label, 'every cross-table row is of the chosen channel');
  }
  assert.match(await cross.locator('a.csv').getAttribute('href'), /channel=/, 'the CSV follows the filters');
  await page.screenshot({ path: path.join(artifacts, 'dashboard-filtered.png'), fullPage: true });

  await page.getByRole('link', { name: 'Clear filters' }).click();
  await page.waitForURL((u) => !u.search.includes('channel='));
  assert.equal(await total(page), all);
  assert.deepEqual(errors, []);
  await page.context().close();
});
