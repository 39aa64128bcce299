// The agent pages on a phone (issue 20, item 13), in headless Chromium at 390x844: a visible
// "Back to list" in a conversation; a header of one row whose sections fold behind a Menu
// button; in a long conversation the latest message, the composer and Send on screen without
// scrolling, the customer panel after them; no page that scrolls sideways. And at 1440x900
// the header is still the full row it was. The open menu and the unfolded actions pass
// axe-core too (a11y.test.js checks the pages as they load).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, browser, login, signIn, inbound, until, baseURL } from '../lib/browser.js';
import { axeFindings } from '../lib/axe.js';

const phone = { width: 390, height: 844 };
const run = Date.now().toString(36);

useBrowser();

// box is an element's place on the screen (the viewport's coordinates).
const box = (locator) => locator.evaluate((el) => {
  const r = el.getBoundingClientRect();
  return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, height: r.height };
});

test('on a phone the header is one row and its sections fold behind an accessible Menu button', { timeout: 60_000 }, async () => {
  const page = await signIn(browser, login.email, login.password, phone, { bypassCSP: true });
  await page.goto('/contacts');
  const header = page.locator('header.top');
  const menu = page.getByRole('button', { name: 'Menu', exact: true });
  const brand = page.getByRole('link', { name: 'Parley inbox' });
  const b = await box(brand);
  const h = await box(header);
  // One row: the header is no taller than one line of its controls, and the button sits on it.
  assert.ok(h.height <= 56, `the header is ${h.height}px tall`);
  const m = await box(menu);
  assert.ok(m.top < b.bottom && m.bottom > b.top, 'the Menu button is on the brand\'s row');
  assert.ok(m.right <= phone.width, 'the Menu button is on screen');

  const sections = page.getByRole('navigation', { name: 'Sections' });
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');
  assert.equal(await sections.isVisible(), false, 'the sections are folded');
  await menu.click();
  assert.equal(await menu.getAttribute('aria-expanded'), 'true');
  assert.equal(await page.locator('#top-menu').getAttribute('id'), await menu.getAttribute('aria-controls'));
  for (const name of ['Inbox', 'Contacts', 'Dashboard', 'Admin']) {
    assert.ok(await sections.getByRole('link', { name, exact: true }).isVisible(), `${name} is in the open menu`);
  }
  assert.ok(await page.getByRole('button', { name: 'Sign out' }).isVisible());
  assert.deepEqual(await axeFindings(page, 'the open menu'), []);
  // Escape closes it and gives the focus back to the button.
  await page.keyboard.press('Escape');
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');
  assert.equal(await sections.isVisible(), false);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'menu-toggle');
  // A section chosen from the menu.
  await menu.click();
  await sections.getByRole('link', { name: 'Dashboard' }).click();
  await page.waitForURL('**/dashboard');
  await page.context().close();
});

test('at 1440x900 the header is the full row: sections and links in view, no Menu button', { timeout: 60_000 }, async () => {
  const page = await signIn(browser, login.email, login.password, { width: 1440, height: 900 });
  await page.goto('/inbox');
  assert.equal(await page.getByRole('button', { name: 'Menu', exact: true }).isVisible(), false);
  const sections = page.getByRole('navigation', { name: 'Sections' });
  assert.ok(await sections.getByRole('link', { name: 'Inbox', exact: true }).isVisible());
  assert.ok(await page.getByRole('button', { name: 'Sign out' }).isVisible());
  const h = await box(page.locator('header.top'));
  assert.ok(h.height <= 56, `the header is ${h.height}px tall`);
  // The three columns: list, conversation, customer, side by side.
  await page.locator('#rows li.row a').first().click();
  await page.waitForURL(/\/inbox\/\d+/);
  const list = await box(page.locator('section.list'));
  const conv = await box(page.locator('section.conv'));
  const panel = await box(page.locator('#panel'));
  assert.ok(list.right <= conv.left + 1 && conv.right <= panel.left + 1, 'list | conversation | customer');
  assert.equal(await page.getByRole('link', { name: 'Back to list', exact: true }).isVisible(), false, 'the list is in view: no back link');
  await page.context().close();
});

test('on a phone a long conversation shows its latest message, the composer and Send; Back to list returns to the list', { timeout: 90_000 }, async () => {
  // A customer who wrote many long messages: the timeline is far taller than the screen.
  const email = `long-${run}@example.com`;
  let conv;
  for (let i = 1; i <= 12; i++) {
    const res = await inbound(login.token, { external_id: `phone-${run}-${i}`, contact: { name: `Pat ${run}`, email },
      subject: `Phone layout ${run}`, text: `Message ${i} of 12. ${'My parcel has not arrived and I would like to know where it is. '.repeat(4)}` });
    conv ??= res.conversation_id;
    assert.equal(res.conversation_id, conv, 'the messages thread into one conversation');
  }
  const page = await signIn(browser, login.email, login.password, phone, { bypassCSP: true });
  await page.goto('/inbox?view=all&channel=api');
  const row = page.locator(`#rows li.row[data-id="${conv}"] a`);
  await row.click();
  await page.waitForURL(new RegExp(`/inbox/${conv}`));
  assert.equal(await page.evaluate(() => window.scrollY), 0);

  const send = page.getByRole('button', { name: 'Send', exact: true });
  const s = await box(send);
  assert.ok(s.top >= 0 && s.bottom <= phone.height, `Send is on screen (top ${s.top}, bottom ${s.bottom})`);
  const text = await box(page.getByLabel('Message', { exact: true }));
  assert.ok(text.top >= 0 && text.bottom <= phone.height, 'the message box is on screen');
  // The latest message is in view at the bottom of the timeline.
  const last = page.locator('#timeline article.msg').last();
  assert.match(await last.innerText(), /Message 12 of 12/);
  const l = await box(last);
  const t = await box(page.locator('#timeline'));
  assert.ok(l.bottom <= t.bottom + 1 && l.bottom > t.top, 'the latest message is in the visible part of the timeline');
  // The customer panel comes after the composer, reached by scrolling or its link.
  const panel = await box(page.locator('#panel'));
  assert.ok(panel.top >= s.bottom, 'the customer panel is after Send');
  assert.ok(await page.getByRole('link', { name: 'Customer', exact: true }).isVisible());

  // The conversation's actions fold behind a button, and unfold.
  const actions = page.getByRole('button', { name: 'Actions' });
  const assignee = page.getByLabel('Assignee');
  assert.equal(await assignee.isVisible(), false);
  await actions.click();
  assert.equal(await actions.getAttribute('aria-expanded'), 'true');
  assert.ok(await assignee.isVisible());
  assert.deepEqual(await axeFindings(page, 'the unfolded actions'), []);

  // Back to the list, with its filter kept.
  const back = page.getByRole('link', { name: 'Back to list', exact: true });
  const bb = await box(back);
  assert.ok(bb.top >= 0 && bb.bottom <= phone.height, 'Back to list is on screen');
  await back.click();
  await page.waitForURL((u) => u.pathname === '/inbox' && u.searchParams.get('channel') === 'api');
  assert.ok(await page.locator(`#rows li.row[data-id="${conv}"]`).isVisible(), 'the list is shown again');
  await page.context().close();
});

test('on a phone no page scrolls sideways: the sections, every admin page and the detail pages', { timeout: 180_000 }, async () => {
  const page = await signIn(browser, login.email, login.password, phone);
  // The pages: the header's sections and settings, the admin tabs, and a detail page of each kind.
  const hrefs = new Set(['/inbox', '/companies']);
  for (const nav of ['#top-menu']) {
    for (const h of await page.locator(`${nav} a[href]`).evaluateAll((as) => as.map((a) => a.getAttribute('href')))) hrefs.add(h);
  }
  await page.goto('/admin/agents');
  for (const h of await page.locator('nav.subnav a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')))) {
    if (!h.startsWith('/admin/jobs')) hrefs.add(h);
  }
  assert.ok(hrefs.size > 15, `found ${hrefs.size} pages`);
  // The sandbox page holds an SMS as sent (its request line and callback URL are long words).
  const auth = { Authorization: `Bearer ${login.token}`, 'Content-Type': 'application/json' };
  const sms = await (await fetch(`${baseURL}/api/v1/conversations?channel=sms&status=new,open&limit=1`, { headers: auth })).json();
  const replied = await fetch(`${baseURL}/api/v1/conversations/${sms.conversations[0].id}/messages`, {
    method: 'POST', headers: auth, body: JSON.stringify({ text: `A reply on a phone's sandbox page (${run}).` }) });
  assert.equal(replied.status, 201, 'the reply to an SMS is accepted');
  await until('the SMS reply is in the sandbox', async () => {
    await page.goto('/admin/sandbox');
    return (await page.locator('article.sandbox-entry[data-channel="sms"]', { hasText: run }).count()) > 0;
  });
  for (const [list, link] of [['/contacts', 'table a[href^="/contacts/"]'], ['/companies', 'table a[href^="/companies/"]'], ['/admin/inboxes', 'a[href^="/admin/inboxes/"]'], ['/inbox', '#rows li.row a']]) {
    await page.goto(list);
    const href = await page.locator(`main ${link}`).first().getAttribute('href');
    hrefs.add(href);
  }
  const wide = [];
  for (const href of hrefs) {
    const res = await page.goto(href);
    assert.ok(res.status() < 400, `${href}: ${res.status()}`);
    const { scroll, inner } = await page.evaluate(() => ({ scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth }));
    if (scroll > inner) wide.push(`${href}: ${scroll}px wide in ${inner}px`);
  }
  assert.deepEqual(wide, [], 'pages that scroll sideways');
  // A table wider than the phone scrolls in its own box, which the keyboard can reach.
  await page.goto('/admin/agents');
  const agents = page.getByRole('group', { name: 'Agents (scrolls sideways)' });
  assert.equal(await agents.getAttribute('tabindex'), '0');
  assert.ok(await agents.evaluate((el) => el.scrollWidth > el.clientWidth), 'the table is wider than its box');
  await page.context().close();
});
