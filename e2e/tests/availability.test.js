// Availability (issue 18, item 1), in headless Chromium against `make e2e`'s server: the header's
// menu sets the agent's availability (the key "a" reaches it, listed in the ? help), another tab
// of theirs follows live, a reload keeps it; and the assigner skips the agent while they are away,
// then gives them the next conversation once they are available again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { useBrowser, browser, login as d, signIn, inbound, baseURL, until } from '../lib/browser.js';

const run = Date.now().toString(36);
const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'parley');
const password = `pw-${run}-long`;
const amy = { name: `Amy ${run}`, email: `amy-${run}@e2e.example` };
const ben = { name: `Ben ${run}`, email: `ben-${run}@e2e.example` };
const keyword = `availability${run}`;

useBrowser();

function parley(...args) {
  return execFileSync(bin, args, { input: `${password}\n`, encoding: 'utf8' });
}

// assigneeOf waits for the assigner to give the conversation to someone, and says whom.
async function assigneeOf(conv) {
  return until(`conversation ${conv} to be assigned`, async () => {
    const res = await fetch(`${baseURL}/api/v1/conversations/${conv}`, { headers: { Authorization: `Bearer ${d.token}` } });
    return (await res.json()).assignee_id;
  });
}

async function customer(tag) {
  const res = await inbound(d.token, { external_id: `av-${run}-${tag}`, contact: { name: `Cy ${tag}`, email: `cy-${tag}-${run}@example.com` },
    subject: `Order ${tag}`, text: `A question about ${keyword}.` });
  return res.conversation_id;
}

test('availability is set from the header, and the assigner skips an away agent', { timeout: 60_000 }, async () => {
  for (const p of [amy, ben]) parley('agent', 'add', '--email', p.email, '--name', p.name, '--role', 'agent');
  parley('team', 'add', '--name', `Availability ${run}`, '--members', `${amy.email},${ben.email}`);
  const rule = /rule (\d+):/.exec(parley('rule', 'add', '--name', `Availability ${run}`, '--keyword', keyword, '--set-team', `Availability ${run}`))[1];
  const ids = Object.fromEntries(parley('agent', 'list').split('\n').map((l) => l.trim().split(/\s+/)).map((f) => [f[1], Number(f[0])]));
  try {
    const page = await signIn(browser, amy.email, password);
    await page.locator('#live[data-state="live"]').waitFor();
    const box = page.locator('#availability');
    assert.equal(await box.getAttribute('data-state'), 'available');
    await page.keyboard.press('?');
    await page.locator('#help').getByText('Your availability').waitFor();
    await page.keyboard.press('Escape');
    await page.keyboard.press('a');
    assert.equal(await page.evaluate(() => document.activeElement?.value), 'available', 'a opens the menu on the current choice');
    const menu = page.getByRole('group', { name: 'Your availability' });
    assert.ok(await menu.isVisible());

    // Amy's second tab follows the change live.
    const other = await page.context().newPage();
    await other.goto('/inbox');
    await other.locator('#live[data-state="live"]').waitFor();
    const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/me/availability'));
    await menu.getByRole('radio', { name: 'Away' }).check();
    assert.equal((await saved).status(), 200);
    await page.keyboard.press('Escape');
    assert.equal(await menu.isVisible(), false, 'Escape closes the menu');
    // The page shows the choice once it has read the answer, which may come after the test saw it.
    await page.locator('#availability[data-state="away"]').waitFor();
    assert.match(await page.locator('#availability summary').textContent(), /Your availability: away/);
    await other.locator('#availability[data-state="away"]').waitFor();
    await other.reload();
    assert.equal(await other.locator('#availability').getAttribute('data-state'), 'away', 'kept after a reload');
    assert.equal(await other.locator('input[name="availability"][value="away"]').isChecked(), true);

    // Away, Amy is skipped: both conversations go to Ben, however loaded he gets.
    const first = await customer('one');
    const second = await customer('two');
    assert.equal(await assigneeOf(first), ids[ben.email]);
    assert.equal(await assigneeOf(second), ids[ben.email]);

    // Available again (from the other tab), Amy, the least loaded, takes the next one.
    await other.locator('#availability summary').click();
    await other.getByRole('radio', { name: 'Available' }).check();
    await page.locator('#availability[data-state="available"]').waitFor();
    assert.equal(await assigneeOf(await customer('three')), ids[amy.email]);
    await page.context().close();
  } finally {
    // The rule goes, so later tests' customers are routed as before.
    parley('rule', 'delete', '--id', rule);
  }
});
