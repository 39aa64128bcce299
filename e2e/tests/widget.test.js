// The chat widget on a phone (390x844, touch) and on a desktop (1440x900), against the real
// server of `make e2e`: on a phone the open widget is a full-screen modal dialog whose Send
// button a finger reaches (the launcher is out of the way) and which keeps Tab inside it;
// on a site whose origin the inbox does not allow, the visitor reads that chat is not available
// there, the site's owner reads the origin to allow in the console, and the widget stops trying
// (no endless "Sending…"); /chat/demo on an origin no inbox allows explains how to allow it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { useBrowser, browser, baseURL, artifacts } from '../lib/browser.js';

useBrowser();

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };
const DESKTOP = { viewport: { width: 1440, height: 900 } };
const sizes = [['phone', PHONE], ['desktop', DESKTOP]];

// openShadow makes the widget's closed shadow root open, so that locators reach inside.
async function openShadow(page) {
  await page.addInitScript(() => {
    const attach = Element.prototype.attachShadow;
    Element.prototype.attachShadow = function (o) { return attach.call(this, { ...o, mode: 'open' }); };
  });
}

// shop opens the demo shop, whose origin the demo chat inbox allows, in a new context.
async function shop(device) {
  const context = await browser.newContext({ baseURL, ...device });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('widget page error:', err.message));
  await openShadow(page);
  await page.goto('/chat/demo');
  return page;
}

// press activates a button as the device would: a finger's tap at its centre on a phone (it
// lands on whatever is on top there), a mouse click on a desktop.
async function press(page, device, locator) {
  if (!device.hasTouch) return locator.click();
  const box = await locator.boundingBox();
  assert.ok(box, 'the button is on screen');
  await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height / 2);
}

// startChat opens the panel and skips the pre-chat form, which connects.
async function startChat(page, device) {
  await press(page, device, page.getByRole('button', { name: 'Open chat' }));
  await press(page, device, page.getByRole('button', { name: 'Skip' }));
}

// focused describes where the keyboard focus is: inside the widget (the element in its shadow
// root) or on the page behind it.
const focused = (page) => page.evaluate(() => {
  const host = document.querySelector('parley-chat');
  if (document.activeElement !== host) return { inWidget: false, what: document.activeElement?.outerHTML.slice(0, 60) };
  const el = host.shadowRoot.activeElement;
  return { inWidget: !!el?.closest('#panel'), launcher: !!el?.matches('.launch'), what: el?.outerHTML.slice(0, 60) };
});

for (const [name, device] of sizes) {
  test(`${name}: Send sends the message, with the launcher out of the way`, async () => {
    const page = await shop(device);
    await startChat(page, device);
    const send = page.getByRole('button', { name: 'Send', exact: true });
    await page.getByRole('textbox', { name: 'Message' }).fill(`sent with a ${name} Send button`);
    const box = await send.boundingBox();
    assert.ok(box.y + box.height <= device.viewport.height && box.x + box.width <= device.viewport.width,
      `Send is on screen: ${JSON.stringify(box)}`);
    await press(page, device, send);
    // Acknowledged by the server: the bubble carries "You · time" instead of "Sending…".
    await page.locator('.msg.me', { hasText: `sent with a ${name} Send button` }).filter({ hasText: 'You ·' }).waitFor();
    assert.ok(await page.getByRole('dialog').isVisible(), 'the chat stayed open');
    await page.screenshot({ path: path.join(artifacts, `widget-${name}.png`) });
    const launcher = page.locator('.launch');
    if (name === 'phone') {
      assert.ok(await launcher.isHidden(), 'the launcher is hidden while the full-screen chat is open');
      const panel = await page.getByRole('dialog').boundingBox();
      assert.deepEqual([panel.x, panel.y, panel.width, panel.height], [0, 0, 390, 844], 'the chat fills the screen');
    } else {
      assert.ok(await launcher.isVisible(), 'the launcher stays, as the toggle, on a desktop');
    }
    await page.context().close();
  });
}

test('phone: the open chat is a modal dialog that keeps Tab inside; Escape returns to the launcher', async () => {
  const page = await shop(PHONE);
  await startChat(page, PHONE);
  const dialog = page.getByRole('dialog', { name: 'Harbor Tea' });
  assert.equal(await dialog.getAttribute('aria-modal'), 'true');
  assert.deepEqual(await focused(page).then((f) => f.inWidget), true, 'focus starts in the chat');
  const seen = new Set();
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    const f = await focused(page);
    assert.ok(f.inWidget, `Tab ${i + 1} stays in the chat, not ${f.what}`);
    seen.add(f.what);
  }
  assert.ok(seen.size >= 3, `Tab goes round the chat's controls: ${[...seen].join(' | ')}`);
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Shift+Tab');
    const f = await focused(page);
    assert.ok(f.inWidget, `Shift+Tab ${i + 1} stays in the chat, not ${f.what}`);
  }
  assert.equal(await page.evaluate(() => getComputedStyle(document.documentElement).overflow), 'hidden',
    'the page behind does not scroll');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  const f = await focused(page);
  assert.ok(f.launcher, `Escape returns focus to the launcher, not ${f.what}`);
  assert.ok(await page.getByRole('button', { name: 'Open chat' }).isVisible(), 'the launcher is back');
  assert.notEqual(await page.evaluate(() => getComputedStyle(document.documentElement).overflow), 'hidden',
    'the page scrolls again');

  // The close button does the same.
  await page.getByRole('button', { name: 'Open chat' }).tap();
  await page.getByRole('button', { name: 'Close chat' }).tap();
  await dialog.waitFor({ state: 'hidden' });
  assert.ok(await page.getByRole('button', { name: 'Open chat' }).isVisible());
  await page.context().close();
});

test('desktop: the open chat is not modal; the page stays reachable', async () => {
  const page = await shop(DESKTOP);
  await startChat(page, DESKTOP);
  assert.equal(await page.getByRole('dialog').getAttribute('aria-modal'), null);
  let left = false;
  for (let i = 0; i < 12 && !left; i++) {
    await page.keyboard.press('Tab');
    left = !(await focused(page)).inWidget;
  }
  assert.ok(left, 'Tab reaches the page beside the chat');
  await page.context().close();
});

// The site of another origin: a page on its own port, which the demo inbox does not allow,
// embedding the demo inbox's widget.
let other, otherURL, inboxID;
before(async () => {
  const demo = await (await fetch(`${baseURL}/chat/demo`)).text();
  inboxID = /data-inbox="(\d+)"/.exec(demo)?.[1];
  assert.ok(inboxID, `the demo page embeds a widget: ${demo.slice(0, 200)}`);
  other = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Elsewhere</title></head>
<body><h1>A site the inbox does not allow</h1><a href="#">a link</a>
<script src="${baseURL}/chat/widget.js" data-inbox="${inboxID}" data-title="Elsewhere" async></script></body></html>`);
  });
  await new Promise((r) => other.listen(0, '127.0.0.1', r));
  otherURL = `http://127.0.0.1:${other.address().port}`;
});
after(() => other?.close());

for (const [name, device] of sizes) {
  test(`${name}: on an origin the inbox does not allow, the visitor is told and the widget stops`, async () => {
    const context = await browser.newContext(device);
    const page = await context.newPage();
    await openShadow(page);
    await page.clock.install({ time: new Date('2026-06-01T10:00:00Z') });
    const warnings = [];
    page.on('console', (m) => { if (m.type() === 'warning') warnings.push(m.text()); });
    let sockets = 0;
    page.on('websocket', () => { sockets++; });
    // The check answers only once the visitor has sent a message, which then waits "Sending…".
    let checks = 0, answer;
    const held = new Promise((r) => { answer = r; });
    await page.route('**/chat/check?*', async (route) => { checks++; await held; await route.continue(); });
    await page.goto(otherURL);
    await startChat(page, device);
    await page.getByRole('textbox', { name: 'Message' }).fill('is anyone there?');
    await page.getByRole('textbox', { name: 'Message' }).press('Enter');
    await page.getByText('Sending…').waitFor();
    answer();

    await page.getByText('Sorry, chat is not available on this site.').waitFor();
    await page.getByText('Not sent: chat is not available on this site.').waitFor();
    assert.equal(await page.getByText('Sending…').count(), 0, 'nothing waits "Sending…"');
    assert.equal(await page.getByRole('button', { name: 'Send again' }).count(), 0, 'nothing to send again');
    assert.ok(await page.getByRole('textbox', { name: 'Message' }).isHidden(), 'no message box to write into');
    assert.ok(warnings.some((w) => w.includes(otherURL) && w.includes('/admin/inboxes')),
      `the console names the origin to allow: ${warnings.join(' | ')}`);
    const f = await focused(page);
    assert.ok(f.inWidget, `focus stays in the chat, on ${f.what}`);

    await page.clock.runFor(10 * 60 * 1000); // ten minutes of backoff, were it retrying
    await page.evaluate(() => Date.now()); // a round trip: a socket opened meanwhile has been seen
    assert.equal(sockets, 1, 'one socket, never retried');
    assert.equal(checks, 1, 'one check');
    assert.ok(await page.getByText('Sorry, chat is not available on this site.').isVisible());
    await page.screenshot({ path: path.join(artifacts, `widget-refused-${name}.png`) });
    await context.close();
  });
}

test('/chat/demo on an origin no inbox allows says how to allow it, with no widget', async () => {
  const port = new URL(baseURL).port;
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  // shop.localhost is this server too (Chromium resolves *.localhost to the loopback), but an
  // origin the demo inbox does not list.
  const resp = await page.goto(`http://shop.localhost:${port}/chat/demo`);
  assert.equal(resp.status(), 404);
  await page.getByRole('heading', { name: 'Chat is not enabled for this address' }).waitFor();
  assert.ok(await page.getByText(`http://shop.localhost:${port}`).first().isVisible(), 'the page names the origin');
  assert.equal(await page.getByRole('link', { name: 'Admin, Inboxes' }).getAttribute('href'), `${baseURL}/admin/inboxes`);
  assert.equal(await page.locator('parley-chat').count(), 0, 'no widget');
  await context.close();
});
