// Files in the composer (issue 17, items 2 and 6), in headless Chromium against `make e2e`'s
// server: a file chosen with the button, one dropped on the composer and one pasted into its text
// are uploaded at once, shown as chips, and sent with the message; the timeline lists them as
// downloads, served with the sandbox headers and the bytes that were sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, browser, login as d, signIn, inbound } from '../lib/browser.js';

const run = Date.now().toString(36);

useBrowser();

// A PNG's signature and header: the server types it from these bytes.
const png = Buffer.concat([Buffer.from('\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR', 'latin1'), Buffer.alloc(600, 7)]);

async function openConversation(page, tag) {
  const res = await inbound(d.token, { external_id: `attach-${run}-${tag}`, contact: { name: `Fay ${tag}`, email: `fay-${tag}-${run}@example.com` },
    subject: `Attach ${tag} ${run}`, text: 'Where is the shipping label?' });
  await page.goto(`/inbox/${res.conversation_id}`);
  await page.locator('#live[data-state="live"]').waitFor();
  return res;
}

test('the file button uploads a file, the note carries it, and the timeline offers it as a sandboxed download', { timeout: 60_000 }, async () => {
  const page = await signIn(browser, d.email, d.password);
  await openConversation(page, 'button');
  const composer = page.locator('#composer');
  await composer.getByLabel('Internal note').check();
  await composer.locator('[data-attach-input]').setInputFiles({ name: 'label.png', mimeType: 'application/pdf', buffer: png });
  const chip = composer.locator('[data-attach-list] li', { hasText: 'label.png' });
  await chip.getByText('KB').waitFor();
  await composer.getByLabel('Message').fill(`Here is the label ${run}`);
  await composer.getByRole('button', { name: 'Send', exact: true }).click();
  await page.locator('#timeline').getByText(`Here is the label ${run}`).waitFor();
  assert.equal(await composer.locator('[data-attach-list] li').count(), 0, 'the chips go once sent');

  const link = page.locator('#timeline').getByRole('link', { name: 'label.png' });
  await link.waitFor();
  assert.match(await link.locator('..').textContent(), /image\/png/, 'typed from the bytes, not the browser\'s claim');
  const res = await page.request.get(await link.getAttribute('href'));
  assert.equal(res.status(), 200);
  assert.deepEqual(Buffer.from(await res.body()), png, 'the bytes that were sent');
  assert.match(res.headers()['content-disposition'], /^attachment;/);
  assert.equal(res.headers()['content-security-policy'], 'sandbox');
  assert.equal(res.headers()['x-content-type-options'], 'nosniff');
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.equal(download.suggestedFilename(), 'label.png');
  await page.context().close();
});

test('a dropped file and a pasted one go with a reply of files alone', { timeout: 60_000 }, async () => {
  const page = await signIn(browser, d.email, d.password);
  await openConversation(page, 'drop');
  const composer = page.locator('#composer');
  await page.evaluate(() => {
    const drop = new DataTransfer();
    drop.items.add(new File(['the invoice, dropped'], 'invoice.txt', { type: 'text/plain' }));
    document.getElementById('composer').dispatchEvent(new DragEvent('drop', { dataTransfer: drop, bubbles: true, cancelable: true }));
    const paste = new DataTransfer();
    paste.items.add(new File(['a pasted screenshot'], 'screenshot.txt', { type: 'text/plain' }));
    document.getElementById('reply-text').dispatchEvent(new ClipboardEvent('paste', { clipboardData: paste, bubbles: true, cancelable: true }));
  });
  for (const name of ['invoice.txt', 'screenshot.txt']) {
    await composer.locator('[data-attach-list] li', { hasText: name }).getByText('KB').waitFor();
  }
  await composer.getByRole('button', { name: 'Send', exact: true }).click();
  const timeline = page.locator('#timeline');
  await timeline.getByRole('link', { name: 'invoice.txt' }).waitFor();
  await timeline.getByRole('link', { name: 'screenshot.txt' }).waitFor();
  const res = await page.request.get(await timeline.getByRole('link', { name: 'screenshot.txt' }).getAttribute('href'));
  assert.equal(await res.text(), 'a pasted screenshot');
  await page.context().close();
});
