// The demo and the sandbox (make run): `parley demo` seeds customers of all four channels, and
// under `parley serve --sandbox` a reply reaches a fake Twilio inside the server, which the
// admin reads at /admin/sandbox; every admin page says the sandbox is on; an agent is refused it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { useBrowser, browser, login as d, signIn, artifacts } from '../lib/browser.js';

useBrowser();

// The demo's customers, one per channel, by what they wrote.
const seeded = {
  email: 'Order #1042 arrived damaged',
  sms: 'refund for order 977',
  slack: 'sign in with SSO',
  chat: 'Do you ship to Norway?',
};

test("the demo's four channels are in the inbox and a reply lands in the sandbox", { timeout: 60_000 }, async () => {
  const admin = await signIn(browser, d.email, d.password);
  for (const [channel, text] of Object.entries(seeded)) {
    await admin.goto(`/inbox?view=all&status=any&channel=${channel}`);
    const row = admin.locator('#rows li', { hasText: text }).first();
    await row.waitFor();
    await row.locator(`.chip.ch-${channel}`).first().waitFor();
  }

  // Answer the SMS: it is delivered, to the sandbox's Twilio.
  const reply = `Your refund went out today (${Date.now().toString(36)}).`;
  await admin.goto('/inbox?view=all&status=any&channel=sms');
  await admin.locator('#rows li', { hasText: seeded.sms }).first().locator('a').click();
  await admin.locator('#timeline').getByText(seeded.sms).waitFor();
  await admin.locator('#reply-text').fill(reply);
  await admin.getByRole('button', { name: 'Send', exact: true }).click();
  await admin.locator('.msg-outbound', { hasText: reply }).locator('[data-delivery="sent"], [data-delivery="delivered"]').waitFor();

  await admin.goto('/admin/agents');
  await admin.locator('#sandbox-banner', { hasText: 'Sandbox on' }).waitFor();
  await admin.getByRole('link', { name: 'Sandbox', exact: true }).click();
  await admin.getByRole('heading', { name: 'Sandbox', level: 1 }).waitFor();
  const entry = admin.locator('article.sandbox-entry[data-channel="sms"]', { hasText: reply }).first();
  await entry.waitFor();
  assert.match(await entry.innerText(), /Messages\.json/);
  const to = entry.locator('table.fields tr').filter({ has: admin.locator('th', { hasText: /^To$/ }) });
  assert.match(await to.innerText(), /\+15550100200/);
  await admin.screenshot({ path: path.join(artifacts, 'sandbox.png'), fullPage: true });
  await admin.context().close();

  // The demo's agent signs in with the printed password and is refused the page.
  const text = readFileSync(process.env.PARLEY_E2E_DEMO, 'utf8');
  const [, email, password] = /agent:\s+(\S+) \/ (\S+)/.exec(text);
  const agent = await signIn(browser, email, password);
  const res = await agent.goto('/admin/sandbox');
  assert.equal(res.status(), 403);
  await agent.context().close();
});
