// New outbound conversations: from a contact's page an admin writes the customer an email
// through the "New conversation" dialog (key w). The page opens the new conversation, whose
// timeline shows the message sent (the sandbox's SMTP sink took it, and /admin/sandbox shows it
// to the customer's address). From the inbox, an SMS to a typed number is refused in the dialog
// when the number is not one, and nothing is lost of what was typed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { useBrowser, browser, login as d, signIn, inbound, artifacts } from '../lib/browser.js';

const run = Date.now().toString(36);

useBrowser();

test("an agent starts an email from a contact's page and sees it sent", { timeout: 90_000 }, async () => {
  const address = `nina-${run}@example.com`;
  const first = await inbound(d.token, { external_id: `e2e-newconv-${run}`, contact: { email: address, name: `Nina ${run}` },
    subject: `Catalogue ${run}`, text: 'Please send me the catalogue.' });
  const admin = await signIn(browser, d.email, d.password);
  await admin.goto(`/contacts/${first.contact_id}`);

  await admin.keyboard.press('w');
  const dialog = admin.getByRole('dialog', { name: 'New conversation' });
  await dialog.waitFor();
  const from = dialog.getByLabel('From');
  const email = await from.locator('option[data-channel="email"]').first().getAttribute('value');
  await from.selectOption(email);
  assert.equal(await dialog.getByLabel('To').inputValue(), address);
  const subject = `Our new catalogue ${run}`;
  const text = `Hello Nina, here is the catalogue you asked for (${run}).`;
  await dialog.getByLabel('Subject').fill(subject);
  await dialog.getByLabel('First message').fill(text);
  await dialog.getByRole('button', { name: 'Send' }).click();

  await admin.waitForURL(/\/inbox\/\d+$/);
  const id = Number(new URL(admin.url()).pathname.split('/').pop());
  assert.ok(id > 0);
  await admin.locator('#conv-head', { hasText: subject }).waitFor();
  const sent = admin.locator('.msg-outbound', { hasText: text });
  await sent.locator('[data-delivery="sent"], [data-delivery="delivered"]').waitFor({ timeout: 30_000 });
  await admin.screenshot({ path: path.join(artifacts, 'newconversation.png'), fullPage: true });

  // The sandbox's SMTP sink received it, addressed to the customer, threaded by [#id].
  await admin.goto('/admin/sandbox');
  const entry = admin.locator('article.sandbox-entry[data-channel="email"]', { hasText: text }).first();
  await entry.waitFor();
  assert.match(await entry.locator('.dest').innerText(), new RegExp(address.replace(/[.]/g, '\\.')));
  assert.match(await entry.innerText(), new RegExp(`Subject: ${subject} \\[#${id}\\]`));

  // The contact's history lists the new conversation, pending: it waits on the customer.
  await admin.goto(`/contacts/${first.contact_id}`);
  const row = admin.locator('#history-title ~ .scroll-x tr', { has: admin.locator(`a[href="/inbox/${id}"]`) });
  await row.locator('.chip.st-pending').waitFor();
  await admin.context().close();
});

test('a number that is not one is refused in the dialog, which keeps what was typed', { timeout: 60_000 }, async () => {
  const admin = await signIn(browser, d.email, d.password);
  await admin.goto('/inbox');
  await admin.getByRole('button', { name: 'New conversation' }).click();
  const dialog = admin.getByRole('dialog', { name: 'New conversation' });
  const from = dialog.getByLabel('From');
  const sms = await from.locator('option[data-channel="sms"]').first().getAttribute('value');
  await from.selectOption(sms);
  assert.equal(await dialog.getByLabel('Subject').isHidden(), true);
  await dialog.getByLabel('To').fill('call me');
  await dialog.getByLabel('First message').fill(`Hello ${run}`);
  await dialog.getByRole('button', { name: 'Send' }).click();
  await dialog.getByRole('alert').filter({ hasText: 'not a phone number' }).waitFor();
  assert.equal(await dialog.getByLabel('First message').inputValue(), `Hello ${run}`);
  assert.match(admin.url(), /\/inbox$/);
  await admin.context().close();
});
