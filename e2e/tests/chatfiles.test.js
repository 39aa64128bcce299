// Files in the website chat (issue 17), in headless Chromium against `make e2e`'s server: a
// visitor on the demo shop attaches a photo in the widget; it shows in their conversation as a
// picture, and the agent finds the message in the inbox with the photo as an attachment whose
// download is the same bytes. A program renamed .png is refused with the visitor's words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, browser, login as d, signIn, openShop } from '../lib/browser.js';

useBrowser();

const run = Date.now().toString(36);
// A 1x1 PNG: a real picture, so the browser draws it.
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

test('a visitor sends a photo through the widget and the agent downloads it from the timeline', { timeout: 60_000 }, async () => {
  const page = await openShop(browser);
  await page.getByRole('button', { name: 'Open chat' }).click();
  await page.getByRole('button', { name: 'Skip' }).click();
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(`My parcel came crushed ${run}`);
  await box.press('Enter');
  await page.locator('.msg.me', { hasText: 'You ·' }).waitFor();

  // The file button opens the picker; the photo goes as a message of its own.
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach a file' }).click();
  await (await chooser).setFiles({ name: 'parcel.png', mimeType: 'image/png', buffer: png });
  const shown = page.locator('.msg.me img[alt="parcel.png"]');
  // The bubble shows the picture once the server acknowledged the message with its link.
  await page.locator('.msg.me', { has: page.locator('img[alt="parcel.png"]'), hasText: 'You ·' }).waitFor();
  // The bubble may be in the page before the picture has loaded: wait for its load (or error).
  const drawn = await shown.evaluate((img) => img.complete ? img.naturalWidth === 1 : new Promise((resolve) => {
    img.addEventListener('load', () => resolve(img.naturalWidth === 1), { once: true });
    img.addEventListener('error', () => resolve(false), { once: true });
  }));
  assert.ok(drawn, 'the photo is drawn from its link');

  // A program named like a picture is refused, in words.
  const chooser2 = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Attach a file' }).click();
  await (await chooser2).setFiles({ name: 'cat.png', mimeType: 'image/png', buffer: Buffer.concat([Buffer.from('MZ\x90\x00'), Buffer.alloc(600)]) });
  await page.locator('.note', { hasText: 'Only pictures, PDF and text files can be sent.' }).waitFor();
  await page.context().close();

  // The agent finds the conversation and downloads the photo from its timeline.
  const agent = await signIn(browser, d.email, d.password);
  await agent.goto(`/inbox?view=all&status=any&q=${encodeURIComponent(`crushed ${run}`)}`);
  const row = agent.locator('#rows li[data-id]', { hasText: `crushed ${run}` });
  await agent.goto(`/inbox/${await row.first().getAttribute('data-id')}`);
  const link = agent.getByRole('link', { name: 'parcel.png' });
  await link.waitFor();
  const res = await agent.request.get(await link.getAttribute('href'));
  assert.equal(res.status(), 200);
  assert.ok(Buffer.from(await res.body()).equals(png), 'the agent downloads the bytes the visitor sent');
  assert.match(res.headers()['content-disposition'], /attachment/);
  await agent.context().close();
});
