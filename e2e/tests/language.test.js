// Customer texts in the customer's language. An admin adds a chat inbox, lets its widget follow
// the visitor's browser language on the inbox page's "Customer language and texts" section, and
// words the French greeting the inbox's own way (a wording that drops a placeholder is refused
// in place). A visitor whose browser speaks French then reads the widget in French, with that
// greeting; a visitor whose browser speaks English reads the shipped English. The shop page is
// served on a loopback port of this test's own, an origin the inbox allows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { useBrowser, browser, login as d, signIn, baseURL, artifacts } from '../lib/browser.js';

const run = Date.now().toString(36);
useBrowser();

// shop serves the page embedding the widget of the inbox ?inbox= names.
let shop, shopOrigin;
before(async () => {
  shop = http.createServer((req, res) => {
    const inboxID = new URL(req.url, 'http://x').searchParams.get('inbox');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><meta charset="utf-8"><title>Shop</title></head><body><h1>Shop</h1>
<script src="${baseURL}/chat/widget.js" data-inbox="${inboxID}" async></script></body></html>`);
  });
  await new Promise((r) => shop.listen(0, '127.0.0.1', r));
  shopOrigin = `http://127.0.0.1:${shop.address().port}`;
});
after(() => shop?.close());

// visitor opens the shop page with the inbox's widget in a new context of the given locale.
async function visitor(inboxID, locale) {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('shop page error:', err.message));
  await page.addInitScript(() => {
    const attach = Element.prototype.attachShadow;
    Element.prototype.attachShadow = function (o) { return attach.call(this, { ...o, mode: 'open' }); };
  });
  await page.goto(`${shopOrigin}/?inbox=${inboxID}`);
  return page;
}

test('the widget in French, with the inbox\'s own French greeting', { timeout: 90_000 }, async () => {
  const admin = await signIn(browser, d.email, d.password);
  await admin.goto('/admin/inboxes/new?kind=chat');
  await admin.getByLabel('Name', { exact: true }).fill(`E2E langue ${run}`);
  await admin.getByLabel('Allowed origins', { exact: true }).fill(shopOrigin);
  await admin.getByRole('button', { name: 'Add inbox' }).click();
  await admin.getByText('Inbox added.').waitFor();
  const id = /data-inbox="(\d+)"/.exec(await admin.locator('#embed').inputValue())[1];

  await admin.goto(`/admin/inboxes/${id}`);
  const section = admin.locator('#inbox-texts');
  assert.equal(await section.getByLabel('Language', { exact: true }).inputValue(), 'en');
  await section.getByLabel("Follow the visitor's browser language when it is one of these").check();
  await section.getByRole('button', { name: 'Save language' }).click();
  await section.getByText('Language saved.').waitFor();

  await section.getByLabel('Texts in').selectOption('fr');
  await section.getByLabel('Find a text').fill('widget.');
  const refused = section.getByLabel('widget.chatting_with (fr)');
  await refused.fill('Avec nous');
  await refused.press('Enter');
  await section.getByRole('alert').filter({ hasText: 'must keep the placeholder {agent}' }).waitFor();
  const greeting = section.getByLabel('widget.greeting (fr)');
  assert.equal(await greeting.getAttribute('placeholder'), 'Bonjour ! Comment pouvons-nous vous aider ?');
  await greeting.fill(`Bienvenue chez nous (${run}) !`);
  await greeting.press('Enter');
  await section.locator('tr[data-key="widget.greeting"]').getByText('Saved.').waitFor();
  await admin.screenshot({ path: path.join(artifacts, 'inbox-texts.png'), fullPage: true });

  // A French browser.
  const fr = await visitor(id, 'fr-FR');
  await fr.getByRole('button', { name: 'Ouvrir le chat' }).click();
  await fr.getByText('Bonjour ! Dites-nous qui vous êtes pour que nous puissions vous recontacter (facultatif).').waitFor();
  assert.ok(await fr.getByRole('button', { name: 'Démarrer le chat' }).isVisible());
  await fr.getByRole('button', { name: 'Passer' }).click();
  await fr.getByText(`Bienvenue chez nous (${run}) !`).waitFor();
  const box = fr.getByRole('textbox', { name: 'Message' });
  assert.equal(await box.getAttribute('placeholder'), 'Écrivez un message…');
  assert.equal(await fr.getByRole('heading', { level: 2 }).innerText(), 'Assistance');
  await box.fill('Bonjour, ma commande est en retard.');
  await fr.getByRole('button', { name: 'Envoyer', exact: true }).click();
  await fr.locator('.msg.me', { hasText: 'ma commande est en retard' }).filter({ hasText: 'Vous ·' }).waitFor();
  assert.ok(await fr.getByRole('button', { name: 'Fermer le chat' }).isVisible());
  await fr.screenshot({ path: path.join(artifacts, 'widget-fr.png') });
  await fr.context().close();

  // An English browser: the shipped English, not the French wording.
  const en = await visitor(id, 'en-US');
  await en.getByRole('button', { name: 'Open chat' }).click();
  await en.getByRole('button', { name: 'Skip' }).click();
  await en.getByText('Hi! How can we help?').waitFor();
  assert.equal(await en.getByText(`Bienvenue chez nous (${run}) !`).count(), 0);
  await en.context().close();
  await admin.context().close();
});
