// The agent inbox end to end, in headless Chromium against `make e2e`'s server: agents, their
// default-queue team and a canned response are set up through the admin pages; a customer message posted to the API
// channel appears live; the agent answers with a canned response, sees who else is viewing and
// typing, resolves with the keyboard; the page catches up after losing its socket; an agent
// never reaches the admin pages; a supervisor reads the dashboard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { useBrowser, browser, login as d, signIn, inbound, artifacts, until } from '../lib/browser.js';

const run = Date.now().toString(36);
const password = 'e2e-password-1';
const people = {
  alice: { name: 'Alice Agent', email: `alice-${run}@e2e.example`, role: 'agent' },
  bob: { name: 'Bob Agent', email: `bob-${run}@e2e.example`, role: 'agent' },
  sue: { name: 'Sue Supervisor', email: `sue-${run}@e2e.example`, role: 'supervisor' },
};
const canned = { shortcut: `thanks${run}`, text: 'Thank you for your patience! A replacement parcel ships today.' };

useBrowser();

test('admins add agents and a canned response through the admin pages', async () => {
  const admin = await signIn(browser, d.email, d.password);
  for (const p of Object.values(people)) {
    await admin.goto('/admin/agents');
    await admin.getByLabel('Name', { exact: true }).fill(p.name);
    await admin.getByLabel('Email', { exact: true }).fill(p.email);
    await admin.getByLabel('Role', { exact: true }).selectOption(p.role);
    await admin.getByLabel('Password (at least 10 characters)').fill(password);
    await admin.getByRole('button', { name: 'Add agent' }).click();
    await admin.getByText('Agent added.').waitFor();
    await admin.getByRole('cell', { name: p.email }).waitFor();
  }
  // Alice and Bob work the front desk, the team marked as the default queue: they see the
  // conversations no routing rule has sent to a team yet.
  const desk = `Front desk ${run}`;
  await admin.goto('/admin/teams');
  await admin.getByRole('region', { name: 'Add a team' }).getByLabel('Name').fill(desk);
  await admin.getByRole('button', { name: 'Add team' }).click();
  await admin.getByText('Team added.').waitFor();
  const team = () => admin.locator('article.team', { has: admin.getByRole('heading', { name: desk }) });
  await team().getByRole('button', { name: /Make the default queue/ }).click();
  await admin.getByText('Default queue updated.').waitFor();
  await team().getByText('default queue', { exact: true }).waitFor();
  // Sue supervises the desk: her dashboard reports its conversations.
  for (const p of [people.alice, people.bob, people.sue]) {
    await team().getByLabel(`Add to ${desk}`).selectOption({ label: p.name });
    await team().getByRole('button', { name: 'Add', exact: true }).click();
    await admin.getByText('Team members updated.').waitFor();
    await team().locator("ul.members li", { hasText: p.name }).waitFor();
  }
  await admin.goto('/admin/canned');
  const form = admin.getByRole('region', { name: 'Add a canned response' });
  await form.getByLabel('Shortcut (letters, digits, - and _)').fill(canned.shortcut);
  await form.getByLabel('Title', { exact: true }).fill('Thanks, replacement');
  await form.getByLabel('Text', { exact: true }).fill(canned.text);
  await form.getByRole('button', { name: 'Save', exact: true }).click();
  await admin.getByText('Canned response saved.').waitFor();
  await admin.context().close();
});

test('an agent works a conversation live while a colleague watches', async () => {
  const alice = await signIn(browser, people.alice.email, password);
  await alice.goto('/inbox?view=unassigned');
  await alice.locator('#live[data-state="live"]').waitFor();
  await alice.evaluate(() => { window.notReloaded = true; });

  // A customer writes through the API channel: the conversation appears without a reload.
  const subject = `Parcel lost ${run}`;
  const first = await inbound(d.token, { external_id: `e2e-${run}-1`, contact: { name: 'Carla Customer', email: `carla-${run}@example.com` },
    subject, text: 'My parcel never arrived. Order 5521.' });
  const row = alice.locator(`#rows li[data-id="${first.conversation_id}"]`);
  await row.getByText(subject).waitFor();
  assert.equal(await alice.evaluate(() => window.notReloaded), true, 'the list updated without a reload');
  // A burst of customers at once: the server gathers their events into array frames, and each
  // conversation of the burst appears.
  const burst = await Promise.all([2, 3, 4].map((i) => inbound(d.token, { external_id: `e2e-${run}-burst${i}`,
    contact: { email: `burst${i}-${run}@example.com` }, subject: `Burst ${i} ${run}`, text: 'Hello there.' })));
  for (const [k, b] of burst.entries()) {
    await alice.locator(`#rows li[data-id="${b.conversation_id}"]`).getByText(`Burst ${k + 2} ${run}`).waitFor();
  }

  // The keyboard: j selects the first row, o opens it; ? lists the shortcuts.
  await alice.keyboard.press('?');
  await alice.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
  await alice.keyboard.press('Escape');
  await row.locator('a').click();
  await alice.waitForURL(`**/inbox/${first.conversation_id}?view=unassigned`);
  await alice.locator('#timeline').getByText('My parcel never arrived.').waitFor();

  // A colleague opens the same conversation: Alice sees who is viewing, then typing.
  const bob = await signIn(browser, people.bob.email, password);
  await bob.goto(`/inbox/${first.conversation_id}`);
  await alice.locator('#presence', { hasText: 'Bob Agent is viewing' }).waitFor();
  await bob.locator('#reply-text').pressSequentially('Let me check the carrier', { delay: 20 });
  await alice.locator('#presence', { hasText: 'Bob Agent is typing' }).waitFor();
  await bob.locator('#reply-text').fill('');

  // Alice replies with a canned response ("/" and its shortcut), by default on the customer's channel.
  await alice.locator('#timeline').focus();
  await alice.keyboard.press('r');
  assert.equal(await alice.evaluate(() => document.activeElement.id), 'reply-text');
  await alice.keyboard.type(`/${canned.shortcut.slice(0, 7)}`);
  await alice.locator('#canned-menu li', { hasText: 'Thanks, replacement' }).waitFor();
  await alice.keyboard.press('Enter');
  assert.equal(await alice.locator('#reply-text').inputValue(), canned.text);
  await alice.getByRole('button', { name: 'Send', exact: true }).click();
  const reply = alice.locator('.msg-outbound', { hasText: canned.text });
  // queued, then settled by the delivery job, live: the API channel's replies leave through a
  // message.created webhook, and with no endpoint registered the reply fails, saying why.
  await reply.locator('[data-delivery="failed"]').waitFor();
  await bob.locator('.msg-outbound', { hasText: canned.text }).waitFor();

  // An internal note, then the customer answers: it arrives in the open thread live.
  await alice.locator('#timeline').focus();
  await alice.keyboard.press('n');
  await alice.keyboard.type('Carrier claim filed.');
  await alice.keyboard.press('Control+Enter');
  await alice.locator('.msg-note', { hasText: 'Carrier claim filed.' }).waitFor();
  await inbound(d.token, { external_id: `e2e-${run}-2`, contact: { email: `carla-${run}@example.com` }, text: 'Great, thanks a lot!' });
  await alice.locator('.msg-inbound', { hasText: 'Great, thanks a lot!' }).waitFor();
  await alice.screenshot({ path: path.join(artifacts, 'inbox.png') });

  // Resolve with "e": both agents see it, with the change inline in the thread.
  await alice.locator('#timeline').focus();
  await alice.keyboard.press('e');
  await alice.locator('#conv-status', { hasText: 'resolved' }).waitFor();
  await alice.locator('.event', { hasText: 'Alice Agent changed the status from open to resolved' }).waitFor();
  await bob.locator('#conv-status', { hasText: 'resolved' }).waitFor();

  // Offline, then back: the page catches up with what it missed.
  await alice.context().setOffline(true);
  await alice.evaluate(() => window.parleyLive.ws?.close());
  await alice.locator('#live[data-state="offline"]').waitFor();
  await inbound(d.token, { external_id: `e2e-${run}-3`, contact: { email: `carla-${run}@example.com` }, text: 'One more question while you were away.' });
  await alice.context().setOffline(false);
  await alice.locator('#live[data-state="live"]').waitFor();
  await alice.locator('.msg-inbound', { hasText: 'One more question while you were away.' }).waitFor();
  await alice.locator('#conv-status', { hasText: 'open' }).waitFor(); // the customer's message reopened it

  // An agent never reaches the admin pages or the dashboard.
  for (const p of ['/admin/agents', '/admin/canned', '/dashboard']) {
    const res = await alice.goto(p);
    assert.equal(res.status(), 403, `${p} for an agent`);
  }
  await alice.context().close();
  await bob.context().close();
});

test('a supervisor reads the dashboard and exports its tables', async () => {
  const sue = await signIn(browser, people.sue.email, password);
  await sue.goto('/dashboard?period=1d');
  await sue.getByRole('heading', { name: /Volume by channel/ }).waitFor();
  await sue.getByRole('cell', { name: 'Alice Agent' }).waitFor();
  // The SLA board reads GET /api/v1/sla/board and renders its summary line: an error text
  // ("could not be loaded", "Could not reach") must not pass for a board.
  const board = sue.locator('#sla-body');
  await board.locator('p.sla-summary').waitFor();
  assert.equal(await board.locator('p.error').count(), 0);
  const csv = await sue.request.get('/dashboard/export/channels.csv?period=1d');
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), /^channel,conversations\n(.*\n)*api,\d+\n/);
  await sue.goto('/dashboard?period=30d'); // with the demo's bulk history
  await sue.getByRole('heading', { name: /Volume by channel/ }).waitFor();
  await sue.screenshot({ path: path.join(artifacts, 'dashboard.png'), fullPage: true });
  await sue.context().close();
});

// A page's socket that opens only after a change the page was read too early to show (here held
// back until a customer has written again) gets that change's events first, and the page shows
// the message without any further event.
test("a page whose socket opens late shows what happened before it opened", async () => {
  const first = await inbound(d.token, { external_id: `e2e-${run}-late-1`, contact: { email: `late-${run}@example.com` }, text: 'First question, before the page.' });
  const admin = await signIn(browser, d.email, d.password);
  let release;
  const held = new Promise((r) => { release = r; });
  const fromServer = [];
  let asked = '';
  await admin.routeWebSocket(/\/api\/v1\/events/, async (ws) => {
    asked = ws.url();
    await held;
    const server = ws.connectToServer();
    server.onMessage((m) => { fromServer.push(String(m)); ws.send(m); });
  });
  await admin.goto(`/inbox/${first.conversation_id}`);
  await admin.locator('#timeline').getByText('First question, before the page.').waitFor();

  // The customer writes again; a colleague's page with a live socket shows it, so the server has
  // announced it before the held socket reaches the server.
  const watcher = await signIn(browser, d.email, d.password);
  await watcher.goto(`/inbox/${first.conversation_id}`);
  await watcher.locator('#timeline').getByText('First question, before the page.').waitFor();
  await inbound(d.token, { external_id: `e2e-${run}-late-2`, contact: { email: `late-${run}@example.com` }, text: 'Second question, while the socket waited.' });
  await watcher.locator('#timeline').getByText('Second question, while the socket waited.').waitFor();

  release();
  await admin.locator('#timeline').getByText('Second question, while the socket waited.').waitFor();
  assert.match(asked, /[?&]since=\d+$/, 'the first socket says when the page was read');
  const replayed = JSON.parse(fromServer[0]);
  assert.ok([replayed].flat().some((e) => e.type === 'message.created' && e.conversation_id === first.conversation_id),
    `the first frame holds the message the page missed: ${fromServer[0]}`);
  await watcher.context().close();
  await admin.context().close();
});

// The page's own script (inbox.js) loads slowly, and a customer writes meanwhile: the socket must
// not open before that script listens to it, or the message's event reaches no one and the page
// never shows it. It opens after every script of the page, and gets the message then.
test('a page whose script loads slowly shows what came while it loaded', async () => {
  const first = await inbound(d.token, { external_id: `e2e-${run}-slow-1`, contact: { email: `slow-${run}@example.com` }, text: 'Before the page.' });
  const watcher = await signIn(browser, d.email, d.password);
  await watcher.goto(`/inbox/${first.conversation_id}`);
  await watcher.locator('#timeline').getByText('Before the page.').waitFor();

  const admin = await signIn(browser, d.email, d.password);
  let release;
  const held = new Promise((r) => { release = r; });
  let asked = false;
  await admin.route(/\/static\/js\/inbox\.js/, async (route) => { asked = true; await held; await route.continue(); });
  const loading = admin.goto(`/inbox/${first.conversation_id}`);
  await until('the page asked for its script', () => asked);
  await inbound(d.token, { external_id: `e2e-${run}-slow-2`, contact: { email: `slow-${run}@example.com` }, text: 'While the script loaded.' });
  await watcher.locator('#timeline').getByText('While the script loaded.').waitFor();
  release();
  await loading;
  await admin.locator('#timeline').getByText('While the script loaded.').waitFor();
  await watcher.context().close();
  await admin.context().close();
});
