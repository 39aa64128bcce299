// Email as people use it (issue 17, item 4), in headless Chromium against `make e2e`'s server:
// the demo's email from Maria was copied to Jon and to one of the inbox's own plus-addresses.
// The composer offers reply-all (Jon in Cc, never the inbox itself); the agent edits Cc and adds
// a Bcc, and the sandbox's SMTP sink receives the reply with Jon's replacement in the Cc header
// and every address, the blind copy included, in the envelope only. The photo Maria's HTML shows
// by cid: loads in the sandboxed frame from the message's attachment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, browser, login as d, signIn, until } from '../lib/browser.js';

const run = Date.now().toString(36);

useBrowser();

test('the composer replies to all, its Cc edited, and the inline photo shows', { timeout: 60_000 }, async () => {
  const page = await signIn(browser, d.email, d.password);
  await page.goto('/inbox?view=all&status=any&channel=email');
  await page.locator('#rows li', { hasText: 'Order #1042 arrived damaged' }).first().locator('a').click();
  await page.locator('#live[data-state="live"]').waitFor();

  // The photo of the HTML email, served from its attachment inside the sandboxed frame.
  const img = page.frameLocator('iframe.mailframe').first().getByAltText('The cracked jar');
  await img.waitFor();
  await until('the inline photo to load', () => img.evaluate((el) => el.complete && el.naturalWidth > 0));
  assert.match(await img.getAttribute('src'), /^\/api\/v1\/attachments\/\d+$/);

  // Reply-all: Maria in To, Jon in Cc, the inbox's own plus-address left out.
  const composer = page.locator('#composer');
  const cc = composer.getByLabel('Cc', { exact: true });
  await cc.waitFor();
  assert.equal(await composer.getByLabel('To', { exact: true }).inputValue(), 'maria@example.com');
  assert.equal(await cc.inputValue(), 'jon@example.com');

  const other = `claims-${run}@example.org`;
  await cc.fill(`${other}`);
  await composer.getByLabel('Bcc', { exact: true }).fill(`audit-${run}@acme.example`);
  const text = `A new jar is on its way (${run}).`;
  await page.locator('#reply-text').fill(text);
  const sent = page.waitForRequest((r) => r.method() === 'POST' && /\/api\/v1\/conversations\/\d+\/messages$/.test(r.url()));
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const body = JSON.parse((await sent).postData());
  assert.deepEqual([body.to, body.cc, body.bcc], [['maria@example.com'], [other], [`audit-${run}@acme.example`]]);
  await page.locator('.msg-outbound', { hasText: text }).locator('[data-delivery="sent"], [data-delivery="delivered"]').waitFor({ timeout: 30_000 });

  // What the sandbox's SMTP sink received: RCPT TO to all three, Cc in the header, Bcc not.
  await page.goto('/admin/sandbox');
  const entry = page.locator('article.sandbox-entry[data-channel="email"]', { hasText: text }).first();
  await entry.waitFor();
  const shown = await entry.innerText();
  assert.match(shown, new RegExp(`maria@example\\.com, ${other.replace(/\./g, '\\.')}, audit-${run}@acme\\.example`));
  assert.match(shown, new RegExp(`Cc: <?${other.replace(/\./g, '\\.')}>?`));
  assert.doesNotMatch(shown, /jon@example\.com/);
  assert.equal((shown.match(new RegExp(`audit-${run}`, 'g')) || []).length, 1, 'the Bcc address shows once: in the envelope, not in the message');
  await page.context().close();
});

test('an agent forwards the conversation to an outside address from the panel', { timeout: 60_000 }, async () => {
  const page = await signIn(browser, d.email, d.password);
  await page.goto('/inbox?view=all&status=any&channel=email');
  await page.locator('#rows li', { hasText: 'Order #1042 arrived damaged' }).first().locator('a').click();
  await page.locator('#live[data-state="live"]').waitFor();
  const to = `claims-fwd-${run}@carrier.example`;
  await page.getByText('Forward by email').click();
  await page.getByLabel('To an outside address').fill(to);
  const note = `Please open a claim (${run}).`;
  await page.locator('#forward-note').fill(note);
  await page.getByRole('button', { name: 'Forward the conversation' }).click();
  await page.getByText(`Forwarded to ${to}.`).waitFor();
  await page.locator('.msg-outbound', { hasText: note }).locator('[data-delivery="sent"], [data-delivery="delivered"]').waitFor({ timeout: 30_000 });

  await page.goto('/admin/sandbox');
  const entry = page.locator('article.sandbox-entry[data-channel="email"]', { hasText: note }).first();
  await entry.waitFor();
  const shown = await entry.innerText();
  assert.match(shown, /Fwd: Order #1042 arrived damaged/);
  assert.match(shown, /> Hi, the blender I ordered/);
  assert.match(shown, /cracked-jar\.png/);
  assert.ok(shown.includes(to) && !shown.includes('maria@example.com, '), 'the forward goes to the outside address alone');
  await page.context().close();
});

test("an agent's own signature, set on their settings page, ends their email reply", { timeout: 60_000 }, async () => {
  const page = await signIn(browser, d.email, d.password);
  await page.goto('/settings/signature');
  const form = page.locator('form[data-signature]');
  await form.getByLabel('Plain text').fill(`Ada from Acme ${run}`);
  await form.getByLabel('HTML (optional)').fill(`<p><b>Ada</b> ${run}</p><script>alert(1)</script>`);
  await form.getByRole('button', { name: 'Save the signature' }).click();
  await form.getByText('Signature saved.').waitFor();
  assert.equal(await form.getByLabel('HTML (optional)').inputValue(), `<p><b>Ada</b> ${run}</p>`, 'the HTML is sanitized');

  await page.goto('/inbox?view=all&status=any&channel=email');
  await page.locator('#rows li', { hasText: 'Order #1042 arrived damaged' }).first().locator('a').click();
  await page.locator('#live[data-state="live"]').waitFor();
  const text = `Signed reply (${run}).`;
  await page.locator('#reply-text').fill(text);
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.locator('.msg-outbound', { hasText: text }).locator('[data-delivery="sent"], [data-delivery="delivered"]').waitFor({ timeout: 30_000 });
  await page.goto('/admin/sandbox');
  const shown = await page.locator('article.sandbox-entry[data-channel="email"]', { hasText: text }).first().innerText();
  assert.match(shown, new RegExp(`--(=20| )\\s*Ada from Acme ${run}`), "the separator line (quoted-printable keeps its space as =20)");
  assert.match(shown, new RegExp(`<b>Ada</b> ${run}`));

  // Cleared again, so that the other tests' replies carry none.
  await page.goto('/settings/signature');
  await form.getByLabel('Plain text').fill('');
  await form.getByLabel('HTML (optional)').fill('');
  await form.getByRole('button', { name: 'Save the signature' }).click();
  await form.getByText('Signature saved.').waitFor();
  await page.context().close();
});
