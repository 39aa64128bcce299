// The website chat widget in headless Chromium, on `make e2e`'s demo shop (/chat/demo). Against
// the real server: a message with a NUL character is stored and acknowledged once. Against a
// scripted server (page.routeWebSocket) and a fake clock (page.clock), what the widget does
// when the server refuses: a refused message is never sent again and the visitor sees why; a
// message the server fails on every time (1011) is given up after five resends; a limit's close
// (4429) waits the retry_after it was given; 1001 "going away" reconnects at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, browser, openShop } from '../lib/browser.js';

useBrowser();

// shop opens the demo shop in a new context, its widget reachable by locators.
const shop = (opts) => openShop(browser, opts);

// startChat opens the panel and skips the pre-chat form, which connects.
async function startChat(page) {
  await page.getByRole('button', { name: 'Open chat' }).click();
  await page.getByRole('button', { name: 'Skip' }).click();
}

// scripted answers the widget's socket instead of the server: each hello gets a welcome, and
// onFrame(conn, frame) sees every other frame. It returns the connections, in order.
async function scripted(page, onFrame = () => {}) {
  const conns = [];
  await page.routeWebSocket(/\/chat\/ws/, (ws) => {
    const conn = { ws, frames: [] };
    conns.push(conn);
    ws.onMessage((data) => {
      const f = JSON.parse(String(data));
      conn.frames.push(f);
      if (f.type === 'hello') {
        ws.send(JSON.stringify({ type: 'welcome', token: 'T1', visitor_id: 'v_e2e', conversation: null }));
      } else {
        onFrame(conn, f);
      }
    });
  });
  return conns;
}

// until waits (in real time, 10 s at most) for ok() to hold.
async function until(what, ok) {
  for (let i = 0; i < 200; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`never: ${what}`);
}

// now is the page's (fake) time.
const now = (page) => page.evaluate(() => Date.now());

test('a message with a NUL character is stored and acknowledged once', async () => {
  const page = await shop();
  const sent = [];
  page.on('websocket', (ws) => ws.on('framesent', (f) => sent.push(JSON.parse(f.payload))));
  await startChat(page);
  await page.getByRole('textbox', { name: 'Message' }).evaluate((ta) => { ta.value = 'Order 55\u000021 never came'; });
  await page.getByRole('textbox', { name: 'Message' }).press('Enter');
  // Acknowledged: the bubble carries "You · time" instead of "Sending…".
  await page.locator('.msg.me', { hasText: 'You ·' }).waitFor();
  const text = await page.locator('.msg.me').first().textContent();
  assert.match(text, /Order 5521 never came/, 'the NUL is removed, the message kept');
  const messages = sent.filter((f) => f.type === 'message');
  assert.equal(messages.length, 1, 'sent once');
  assert.ok(messages[0].text.includes('\u0000'), 'the widget sent the NUL');
  await page.context().close();
});

test('a refused message is not sent again and the visitor sees why', async () => {
  const page = await shop({ clock: true });
  const conns = await scripted(page, (conn, f) => {
    if (f.type !== 'message') return;
    conn.ws.send(JSON.stringify({ type: 'error', code: 'invalid', message: 'The message was refused.', client_id: f.client_id }));
    conn.ws.close({ code: 1011, reason: 'trouble' }); // and the socket fails: the widget reconnects
  });
  await startChat(page);
  await page.getByRole('textbox', { name: 'Message' }).fill('this one is refused');
  await page.getByRole('textbox', { name: 'Message' }).press('Enter');
  await page.getByText('Not sent: The message was refused.').waitFor();
  await page.clock.runFor(2000); // past the first backoff
  await until('the widget reconnects', () => conns.length === 2 && conns[1].frames.length > 0);
  await until('the second socket is welcomed', () => page.locator('.conn').evaluate((e) => e.textContent === ''));
  await page.clock.runFor(10000);
  assert.deepEqual(conns[1].frames.map((f) => f.type), ['hello'], 'the refused message is not resent');
  assert.ok(await page.getByRole('button', { name: 'Send again' }).isVisible(), 'the visitor may send it again');
  await page.context().close();
});

test('a message the server fails on every time is given up, not resent forever', async () => {
  const page = await shop({ clock: true });
  const conns = await scripted(page, (conn, f) => {
    if (f.type === 'message') conn.ws.close({ code: 1011, reason: 'could not store the message; retrying' });
  });
  await startChat(page);
  await page.getByRole('textbox', { name: 'Message' }).fill('this one always fails');
  await page.getByRole('textbox', { name: 'Message' }).press('Enter');
  const gaveUp = page.getByText('Not sent: the chat could not store this message.');
  for (let i = 0; i < 60 && !(await gaveUp.isVisible()); i++) {
    await page.clock.runFor(1000); // past each backoff
    await new Promise((r) => setTimeout(r, 100));
  }
  await gaveUp.waitFor();
  await page.clock.runFor(60000);
  await now(page);
  const sends = conns.flatMap((c) => c.frames).filter((f) => f.type === 'message').length;
  assert.equal(sends, 6, 'sent once and resent after five welcomes, then no more');
  await page.context().close();
});

test('a limit close waits the retry_after the server gave', async () => {
  const page = await shop({ clock: true });
  let limited = true;
  const conns = [];
  await page.routeWebSocket(/\/chat\/ws/, (ws) => {
    conns.push(ws);
    ws.onMessage(() => {
      if (limited) {
        ws.send(JSON.stringify({ type: 'error', code: 'too_many_sockets', retry_after: 60,
          message: 'Too many chat windows are open from your network; try again later.' }));
        ws.close({ code: 4429, reason: 'limited' });
        limited = false;
        return;
      }
      ws.send(JSON.stringify({ type: 'welcome', token: 'T1', visitor_id: 'v_e2e', conversation: null }));
    });
  });
  await startChat(page);
  await page.getByText('Too many chat windows are open from your network; try again later.').waitFor();
  await page.clock.pauseAt((await now(page)) + 1000);
  await page.clock.runFor(58000); // 59 s after the refusal, and a little
  await now(page); // a round trip: a socket opened meanwhile has reached the route
  assert.equal(conns.length, 1, 'no reconnection before retry_after');
  await page.clock.runFor(14000); // 60 s and up to a fifth of jitter
  await until('the widget comes back after retry_after', () => conns.length === 2);
  await page.getByText('Too many chat windows').waitFor({ state: 'hidden' });
  await page.context().close();
});

test('a server going away (1001) is left for another at once', async () => {
  const page = await shop({ clock: true });
  const conns = await scripted(page);
  await startChat(page);
  await until('the widget is welcomed', () => conns.length === 1 && conns[0].frames.length === 1);
  await page.getByText('Connecting…').waitFor({ state: 'hidden' });
  await page.clock.pauseAt((await now(page)) + 1000); // no timer fires from here on
  await conns[0].ws.close({ code: 1001, reason: 'server shutting down' });
  await until('a new socket, with the clock stopped', () => conns.length === 2 && conns[1].frames[0]?.type === 'hello');
  await page.context().close();
});
