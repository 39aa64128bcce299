// Notifications and @mentions (issue 18), in headless Chromium against `make e2e`'s server: an
// assignment reaches the agent live (the bell's count, a toast, the centre's list) and its link
// opens the conversation; "b" opens the centre; a note's @mention is completed from the agents
// who may see the conversation, the mentioned agent's bell rings, and a mention of one who may
// not see it is refused with the reason; opted in, a notification also shows through the
// browser's Notification API.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, browser, login as d, signIn, inbound, baseURL, until } from '../lib/browser.js';

const run = Date.now().toString(36);
const password = 'e2e-password-1';
const nora = { name: `Nora ${run}`, email: `nora-${run}@e2e.example` };
const bert = { name: `Bert ${run}`, email: `bert-${run}@e2e.example` };

useBrowser();

async function api(method, path, body) {
  const res = await fetch(`${baseURL}${path}`, {
    method, headers: { Authorization: `Bearer ${d.token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

// assignedTo starts a customer's conversation and has the demo admin assign it to agentID.
async function assignedTo(agentID, tag) {
  const res = await inbound(d.token, { external_id: `nt-${run}-${tag}`, contact: { name: `Cara ${tag}`, email: `cara-${tag}-${run}@example.com` },
    subject: `Parcel ${tag} ${run}`, text: `Where is parcel ${tag}?` });
  assert.equal((await api('POST', `/api/v1/conversations/${res.conversation_id}/assign`, { agent_id: agentID })).status, 200);
  return res.conversation_id;
}

test('an admin adds two agents of no team', { timeout: 60_000 }, async () => {
  const admin = await signIn(browser, d.email, d.password);
  for (const p of [nora, bert]) {
    await admin.goto('/admin/agents');
    await admin.getByLabel('Name', { exact: true }).fill(p.name);
    await admin.getByLabel('Email', { exact: true }).fill(p.email);
    await admin.getByLabel('Role', { exact: true }).selectOption('agent');
    await admin.getByLabel('Password (at least 10 characters)').fill(password);
    await admin.getByRole('button', { name: 'Add agent' }).click();
    await admin.getByText('Agent added.').waitFor();
  }
  await admin.context().close();
});

test('an assignment arrives live and its link opens the conversation', { timeout: 60_000 }, async () => {
  const page = await signIn(browser, nora.email, password);
  const me = Number(await page.evaluate(() => document.body.dataset.agentId));
  await page.keyboard.press('b');
  await page.waitForURL('**/notifications');
  await page.locator('#live[data-state="live"]').waitFor();
  assert.equal(await page.locator('#bell-count').isHidden(), true, 'no unread notification yet');

  const conv = await assignedTo(me, 'live');
  await page.locator('#bell-count', { hasText: '1' }).waitFor();
  await page.locator('.toast', { hasText: `Parcel live ${run}` }).waitFor();
  const item = page.locator(`#notification-list a[href="/inbox/${conv}"]`);
  await item.waitFor();
  assert.match(await item.textContent(), /assigned you a conversation/);
  await item.click();
  await page.waitForURL(`**/inbox/${conv}`);
  await page.getByRole('article', { name: 'From the customer' }).getByText('Where is parcel live?').waitFor();
  // Opening the conversation read what the bell said about it.
  await page.goto('/notifications');
  assert.equal(await page.locator('#bell-count').isHidden(), true, 'read once the conversation was opened');
  await page.context().close();
});

test('a mention is completed, notifies the agent, and is refused for one who cannot see', { timeout: 60_000 }, async () => {
  const admin = await signIn(browser, d.email, d.password);
  // A colleague listed before the demo admin for "@ad" (by name), but not for "@adm".
  await admin.goto('/admin/agents');
  await admin.getByLabel('Name', { exact: true }).fill(`Adele ${run}`);
  await admin.getByLabel('Email', { exact: true }).fill(`adele-${run}@e2e.example`);
  await admin.getByLabel('Role', { exact: true }).selectOption('admin');
  await admin.getByLabel('Password (at least 10 characters)').fill(password);
  await admin.getByRole('button', { name: 'Add agent' }).click();
  await admin.getByText('Agent added.').waitFor();
  await admin.goto('/notifications');
  await admin.locator('#live[data-state="live"]').waitFor();
  const before = Number(await admin.locator('#bell').getAttribute('data-unread') || 0);

  const page = await signIn(browser, nora.email, password);
  const me = Number(await page.evaluate(() => document.body.dataset.agentId));
  const conv = await assignedTo(me, 'mention');
  await page.goto(`/inbox/${conv}`);
  await page.getByLabel('Internal note').check();
  const text = page.locator('#reply-text');
  const local = d.email.split('@')[0];
  // Bert may not see the conversation, so typing his handle offers no one.
  const answered = page.waitForResponse((r) => r.url().includes(`/mentionable?q=bert-${run}`));
  await text.pressSequentially(`@bert-${run}`);
  const offered = await (await answered).json();
  assert.deepEqual(offered.agents || [], [], 'Bert may not see it, so is not offered');
  assert.ok(await page.locator('#mention-menu').isHidden());
  // Typed fast: the start of the admin's handle and Enter at once, before the list follows what
  // was typed. The handle of what was typed is written, not that of the list of a keystroke before.
  // The lookups answer slowly, as on a busy server or a slow network.
  await page.route(/\/mentionable\?/, async (route) => { await new Promise((r) => setTimeout(r, 400)); await route.continue(); });
  await text.fill('');
  await text.pressSequentially(`Please check @${local.slice(0, 3)}`);
  await text.press('Enter');
  const written = new RegExp(`^Please check @${local}\\S* $`);
  await until('the handle was written', async () => written.test(await text.inputValue()), 10_000)
    .catch(async (err) => assert.fail(`${err.message}: the composer holds "${await text.inputValue()}"`));
  await page.unroute(/\/mentionable\?/);
  await text.pressSequentially('the refund.');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.locator('.timeline, #conversation').getByText('the refund.').first().waitFor();

  // The admin's bell rings, and the centre names who mentioned them.
  await admin.locator('#bell').and(admin.locator(`[data-unread="${before + 1}"]`)).waitFor();
  await admin.locator('#notification-list li', { hasText: `${nora.name} mentioned you in a note` }).waitFor();

  // Bert may not see the conversation: the note is refused, with the reason, and kept.
  await text.fill(`@bert-${run} have a look`);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.locator('#composer-error', { hasText: `${bert.name} cannot see this conversation` }).waitFor();
  assert.equal(await text.inputValue(), `@bert-${run} have a look`, 'the refused note stays in the composer');
  await admin.context().close();
  await page.context().close();
});

test('opted in, a new notification also shows as a browser notification', { timeout: 60_000 }, async () => {
  const page = await signIn(browser, nora.email, password, undefined, { permissions: ['notifications'] });
  // Record what the page shows through the Notification API (the browser's own stays untouched).
  await page.addInitScript(() => {
    const real = window.Notification;
    window.shown = [];
    function Recorder(title, opts) { window.shown.push({ title, body: opts?.body }); return { close() {} }; }
    Object.defineProperty(Recorder, 'permission', { get: () => real.permission });
    Recorder.requestPermission = () => real.requestPermission();
    window.Notification = Recorder;
  });
  await page.goto('/notifications');
  await page.getByLabel('Show a browser notification when something arrives (this browser only)').check();
  await page.waitForFunction(() => localStorage.getItem('parley.browserNotifications') === 'on');
  await page.locator('#live[data-state="live"]').waitFor();
  const me = Number(await page.evaluate(() => document.body.dataset.agentId));
  await assignedTo(me, 'browser');
  await page.waitForFunction(() => window.shown.length > 0);
  const [shown] = await page.evaluate(() => window.shown);
  assert.match(shown.title, /assigned you a conversation/);
  assert.equal(shown.body, `Parcel browser ${run}`);
  await page.context().close();
});
