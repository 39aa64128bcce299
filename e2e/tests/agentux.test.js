// The agents' first hour (issue 20, items 4-12), in headless Chromium against `make e2e`'s
// server: drafts survive a reload and a lapsed session, which is signed in again in a dialog
// with no reload; colleagues see each other as soon as one opens a conversation, and a reply
// written on a stale view is held until the agent confirms; closing asks first and leaves a
// notice instead of the composer; "e" resolves with an Undo; agents land on Mine; unread rows,
// the title's count and the sound toggle; canned responses typed fast; SLA marks keep their
// label; the timeline and the errors speak plainly; browsers get HTML error pages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, browser, login as d, signIn, inbound, baseURL } from '../lib/browser.js';

const run = Date.now().toString(36);
const password = 'e2e-password-1';
const ann = { name: `Ann ${run}`, email: `ann-${run}@e2e.example`, role: 'agent' };
const sam = { name: `Sam ${run}`, email: `sam-${run}@e2e.example`, role: 'supervisor' };

useBrowser();

// api calls the JSON API as the demo admin.
async function api(method, path, body) {
  const res = await fetch(`${baseURL}${path}`, {
    method, headers: { Authorization: `Bearer ${d.token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

// conversationFor starts a customer's conversation and assigns it to agentID.
async function conversationFor(agentID, tag) {
  const res = await inbound(d.token, { external_id: `ux-${run}-${tag}`, contact: { name: `Cleo ${tag}`, email: `cleo-${tag}-${run}@example.com` },
    subject: `Question ${tag} ${run}`, text: `Hello, question ${tag}.` });
  const a = await api('POST', `/api/v1/conversations/${res.conversation_id}/assign`, { agent_id: agentID });
  assert.equal(a.status, 200);
  return res;
}

test('an admin adds two colleagues and two canned responses', { timeout: 60_000 }, async () => {
  const admin = await signIn(browser, d.email, d.password);
  for (const p of [ann, sam]) {
    await admin.goto('/admin/agents');
    await admin.getByLabel('Name', { exact: true }).fill(p.name);
    await admin.getByLabel('Email', { exact: true }).fill(p.email);
    await admin.getByLabel('Role', { exact: true }).selectOption(p.role);
    await admin.getByLabel('Password (at least 10 characters)').fill(password);
    await admin.getByRole('button', { name: 'Add agent' }).click();
    await admin.getByText('Agent added.').waitFor();
  }
  for (const [shortcut, title, text] of [[`ux${run}a`, 'Greeting', 'Hello there!'], [`ux${run}thanks`, 'Thanks', `Thanks a lot, ${run}.`]]) {
    await admin.goto('/admin/canned');
    const form = admin.getByRole('region', { name: 'Add a canned response' });
    await form.getByLabel('Shortcut (letters, digits, - and _)').fill(shortcut);
    await form.getByLabel('Title', { exact: true }).fill(title);
    await form.getByLabel('Text', { exact: true }).fill(text);
    await form.getByRole('button', { name: 'Save', exact: true }).click();
    await admin.getByText('Canned response saved.').waitFor();
  }
  await admin.context().close();
});

async function agentID(page) {
  return Number(await page.evaluate(() => document.body.dataset.agentId));
}

test('a draft survives a reload and a lapsed session, signed in again in place', { timeout: 60_000 }, async () => {
  const page = await signIn(browser, ann.email, password);
  const conv = await conversationFor(await agentID(page), 'draft');
  await page.goto(`/inbox/${conv.conversation_id}`);
  await page.locator('#live[data-state="live"]').waitFor();
  await page.locator('#reply-text').fill('We refund you today');
  await page.reload();
  assert.equal(await page.locator('#reply-text').inputValue(), 'We refund you today', 'the draft came back after a reload');

  // Signed out in another tab (as an expired session would be): nothing reloads.
  await page.locator('#live[data-state="live"]').waitFor();
  await page.evaluate(() => { window.notReloaded = true; });
  const other = await page.context().newPage();
  await other.goto('/inbox');
  await other.getByRole('button', { name: 'Sign out' }).click();
  await other.waitForURL('**/login**');
  await other.close();
  // A browser whose session lapsed still sends its (now unknown) cookie: the API says so in words.
  await page.context().addCookies([{ name: 'parley_session', value: 'lapsed', url: baseURL }]);
  const me = await page.evaluate(async () => {
    const r = await fetch('/api/v1/me', { headers: { Accept: 'application/json' } });
    return { status: r.status, body: await r.json() };
  });
  assert.equal(me.status, 401);
  assert.equal(me.body.code, 'session_expired');
  assert.equal(me.body.error, 'Your session expired. Please sign in again.');

  // Send: the dialog asks to sign in, the badge says so, the reply waits.
  await page.locator('#reply-text').fill('We refund you today.');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Your session expired' });
  await dialog.waitFor();
  await page.locator('#live[data-state="signedout"]', { hasText: 'Signed out' }).waitFor();
  await dialog.getByLabel('Password').fill('not the password');
  await dialog.getByRole('button', { name: 'Sign in' }).click();
  await dialog.getByText('Wrong email or password.').waitFor();
  await dialog.getByLabel('Password').fill(password);
  await dialog.getByRole('button', { name: 'Sign in' }).click();
  await dialog.waitFor({ state: 'hidden' });

  // The reply went out once signed in; the draft is gone, the page never reloaded.
  await page.locator('.msg-outbound', { hasText: 'We refund you today.' }).waitFor();
  await page.locator('#live[data-state="live"]').waitFor();
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page did not reload');
  assert.equal(await page.locator('#reply-text').inputValue(), '');
  assert.equal(await page.evaluate((id) => localStorage.getItem(`parley:draft:${id}`), conv.conversation_id), null);
  await page.context().close();
});

test('colleagues see each other at once, and a reply on a stale view waits for a confirmation', { timeout: 60_000 }, async () => {
  const a = await signIn(browser, ann.email, password);
  const conv = await conversationFor(await agentID(a), 'collide');
  await a.goto(`/inbox/${conv.conversation_id}`);
  await a.locator('#live[data-state="live"]').waitFor();
  const s = await signIn(browser, sam.email, password);
  await s.goto(`/inbox/${conv.conversation_id}`);
  // Both see the other, well before the 20 s heartbeat would have said it.
  await a.locator('#presence', { hasText: `${sam.name} is viewing` }).waitFor({ timeout: 10_000 });
  await s.locator('#presence', { hasText: `${ann.name} is viewing` }).waitFor({ timeout: 10_000 });

  // Ann writes; Sam answers first; Ann's send is held, saying who replied.
  await a.locator('#reply-text').fill('Your parcel ships tomorrow.');
  await s.locator('#reply-text').fill('Sam here: it shipped today.');
  await s.getByRole('button', { name: 'Send', exact: true }).click();
  await s.locator('.msg-outbound', { hasText: 'Sam here: it shipped today.' }).waitFor();
  await a.getByRole('button', { name: 'Send', exact: true }).click();
  const stale = a.locator('#composer-stale');
  await stale.getByText(`${sam.name} replied while you were typing.`).waitFor();
  await a.locator('.msg-outbound', { hasText: 'Sam here: it shipped today.' }).waitFor();
  assert.equal(await a.locator('#reply-text').inputValue(), 'Your parcel ships tomorrow.', 'the reply is kept');
  assert.equal(await a.locator('.msg-outbound', { hasText: 'Your parcel ships tomorrow.' }).count(), 0);
  await stale.getByRole('button', { name: 'Send anyway' }).click();
  await a.locator('.msg-outbound', { hasText: 'Your parcel ships tomorrow.' }).waitFor();
  await stale.waitFor({ state: 'hidden' });
  await a.context().close();
  await s.context().close();
});

test('agents land on Mine; "e" resolves with an Undo; closing asks first and leaves a notice', { timeout: 60_000 }, async () => {
  const page = await signIn(browser, ann.email, password);
  const me = await agentID(page);
  const conv = await conversationFor(me, 'close');
  await page.goto('/inbox');
  assert.equal(await page.getByRole('navigation', { name: 'Views' }).locator('[aria-current="page"]').innerText(), 'Mine');
  await page.locator(`#rows li[data-id="${conv.conversation_id}"] a`).click();
  await page.waitForURL(`**/inbox/${conv.conversation_id}`);

  await page.locator('#timeline').focus();
  await page.keyboard.press('e');
  await page.locator('#conv-status', { hasText: 'resolved' }).waitFor();
  await page.locator('.toast', { hasText: 'Conversation resolved.' }).getByRole('button', { name: 'Undo' }).click();
  await page.locator('#conv-status', { hasText: 'open' }).waitFor();

  // Closing asks; dismissed, nothing changes and the select shows the status again.
  page.once('dialog', (dlg) => { assert.match(dlg.message(), /Closed is final/); dlg.dismiss(); });
  await page.locator('#conv-head select[data-action="status"]').selectOption('closed');
  assert.equal(await page.locator('#conv-head select[data-action="status"]').inputValue(), 'open');
  page.once('dialog', (dlg) => dlg.accept());
  await page.locator('#conv-head select[data-action="status"]').selectOption('closed');
  await page.locator('#conv-status', { hasText: 'closed' }).waitFor();
  await page.locator('#closed-notice', { hasText: 'This conversation is closed.' }).waitFor();
  assert.equal(await page.locator('#composer').isVisible(), false, 'no composer on a closed conversation');
  assert.equal(await page.locator('#conv-head select[data-action="status"]').isDisabled(), true);
  await page.reload();
  await page.locator('#closed-notice').waitFor();
  assert.equal(await page.locator('#composer').isVisible(), false);
  await page.context().close();

  // A supervisor takes a conversation: the timeline says so plainly.
  const sup = await signIn(browser, sam.email, password);
  const other = await conversationFor(me, 'take');
  await sup.goto(`/inbox/${other.conversation_id}`);
  await sup.getByLabel('Assignee').selectOption(String(await agentID(sup)));
  await sup.locator('.event', { hasText: `${sam.name} took this conversation` }).waitFor();
  await sup.locator('.event', { hasText: `Demo Admin assigned this to ${ann.name}` }).waitFor();
  await sup.context().close();
});

test('new customer messages mark rows unread, count in the title, and chime when asked', { timeout: 60_000 }, async () => {
  const page = await signIn(browser, ann.email, password);
  const me = await agentID(page);
  await page.goto('/inbox');
  await page.locator('#live[data-state="live"]').waitFor();
  const sound = page.locator('#sound');
  assert.equal(await sound.getAttribute('aria-pressed'), 'false', 'sound is off by default');

  const conv = await conversationFor(me, 'unread');
  const row = page.locator(`#rows li[data-id="${conv.conversation_id}"]`);
  await row.and(page.locator('.unread')).waitFor();
  assert.match(await page.title(), /^\(\d+\) Inbox/);
  const unreadBefore = Number(/^\((\d+)\)/.exec(await page.title())[1]);

  // Opened, it is read; the count drops.
  await row.locator('a').click();
  await page.waitForURL(`**/inbox/${conv.conversation_id}`);
  await page.locator(`#rows li[data-id="${conv.conversation_id}"]:not(.unread)`).waitFor();
  await page.goto('/inbox');
  await page.locator(`#rows li[data-id="${conv.conversation_id}"]:not(.unread)`).waitFor();
  const after = /^\((\d+)\)/.exec(await page.title());
  assert.equal(after ? Number(after[1]) : 0, unreadBefore - 1);

  // Sound on (kept across pages): the customer writes again, the row is unread and chimes.
  await sound.click();
  assert.equal(await sound.getAttribute('aria-pressed'), 'true');
  await page.reload();
  await page.locator('#live[data-state="live"]').waitFor();
  assert.equal(await page.locator('#sound').getAttribute('aria-pressed'), 'true');
  await inbound(d.token, { external_id: `ux-${run}-unread-2`, contact: { email: `cleo-unread-${run}@example.com` }, text: 'Any news?' });
  await page.locator(`#rows li[data-id="${conv.conversation_id}"].unread`).waitFor();
  await page.waitForFunction(() => window.parleyUnread.chimes > 0);
  await page.context().close();
});

test('a canned response typed fast inserts the one typed', { timeout: 60_000 }, async () => {
  const page = await signIn(browser, ann.email, password);
  const conv = await conversationFor(await agentID(page), 'canned');
  await page.goto(`/inbox/${conv.conversation_id}`);
  await page.locator('#reply-text').focus();
  // No pause: the list of canned responses is still loading when Enter comes.
  await page.keyboard.type(`/ux${run}th`);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('reply-text').value !== '' && !/^\//.test(document.getElementById('reply-text').value));
  assert.equal(await page.locator('#reply-text').inputValue(), `Thanks a lot, ${run}.`);
  await page.context().close();
});

test('SLA marks keep their label once localized', async () => {
  const page = await signIn(browser, sam.email, password);
  await page.goto('/inbox');
  // Every SLA mark the list shows reads as one.
  for (const text of await page.locator('#rows .sla-due').allInnerTexts()) {
    assert.match(text, /^SLA (due|overdue by|breached)/);
  }
  // The label of each kind of mark, from the page's own function.
  const labels = await page.evaluate(async () => {
    const { slaLabels } = await import('/static/js/app.js');
    const box = document.createElement('div');
    const soon = new Date(Date.now() + 2 * 3600_000).toISOString();
    const past = new Date(Date.now() - 5 * 60_000).toISOString();
    box.innerHTML = `<span class="sla-due" data-sla="due" data-due="${soon}">SLA due x UTC</span>`
      + `<span class="sla-due" data-sla="due" data-due="${past}">SLA due x UTC</span>`
      + `<span class="sla-due breached" data-sla="breached" data-due="${past}">SLA breached</span>`;
    slaLabels(box);
    return [...box.children].map((e) => e.textContent);
  });
  assert.match(labels[0], /^SLA due (\d{1,2}:\d{2}|.*\d)/);
  assert.equal(labels[1], 'SLA overdue by 5m');
  assert.equal(labels[2], 'SLA breached 5m ago');
  await page.context().close();
});

test('errors speak plainly: HTML pages for browsers, the field named, a failed change undone', { timeout: 60_000 }, async () => {
  const page = await signIn(browser, ann.email, password);
  let res = await page.goto('/inbox/abc');
  assert.equal(res.status(), 404);
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  res = await page.goto('/no/such/page');
  assert.equal(res.status(), 404);
  assert.match(res.headers()['content-type'], /^text\/html/);
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  const apiMissing = await page.request.get('/api/v1/no-such-thing', { headers: { Accept: 'text/html' } });
  assert.equal(apiMissing.status(), 404);
  assert.match(apiMissing.headers()['content-type'], /^application\/json/);
  const icon = await page.request.get('/favicon.ico');
  assert.equal(icon.status(), 200);
  assert.equal(icon.headers()['content-type'], 'image/svg+xml');

  // An unknown time zone is named as such, not as a chain of Go errors.
  const bad = await api('POST', '/api/v1/sla/policies', { name: `Mars ${run}`, first_response: '1h', calendar: { zone: 'Mars/Base' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error, 'Unknown time zone "Mars/Base"');

  // A priority change that fails: said in words, and the select shows what is stored.
  const conv = await conversationFor(await agentID(page), 'errors');
  await page.goto(`/inbox/${conv.conversation_id}`);
  await page.route('**/priority', (route) => route.abort());
  await page.getByLabel('Priority').selectOption('urgent');
  await page.locator('.toast-error', { hasText: 'Could not reach Parley' }).waitFor();
  assert.equal(await page.getByLabel('Priority').inputValue(), 'normal');
  await page.context().close();
});
