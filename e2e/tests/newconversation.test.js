// New outbound conversations: from a contact's page an admin writes the customer an email
// through the "New conversation" dialog (key w). The page opens the new conversation, whose
// timeline shows the message sent (the sandbox's SMTP sink took it, and /admin/sandbox shows it
// to the customer's address). From the inbox, an SMS to a typed number is refused in the dialog
// when the number is not one, and nothing is lost of what was typed. An admin put in a team
// while writing keeps the page and the dialog: their access did not change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { useBrowser, browser, login as d, signIn, inbound, artifacts, addColleague } from '../lib/browser.js';

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

test('an admin put in a team keeps the page and the dialog they are writing in', { timeout: 60_000 }, async () => {
  // The admin is this test's own: the demo admin's account is shared with the other tests.
  const ada = { name: `Ada ${run}`, email: `ada-${run}@e2e.example`, password: 'e2e-password-1' };
  const desk = `Desk ${run}`;
  const admin = await signIn(browser, d.email, d.password);
  await addColleague(admin, { ...ada, role: 'admin' });
  await admin.goto('/admin/teams');
  await admin.getByRole('region', { name: 'Add a team' }).getByLabel('Name').fill(desk);
  await admin.getByRole('button', { name: 'Add team' }).click();
  await admin.getByText('Team added.').waitFor();

  const page = await signIn(browser, ada.email, ada.password);
  await page.goto('/inbox?view=all&channel=api');
  await page.locator('#live[data-state="live"]').waitFor();
  await page.evaluate(() => { window.notReloaded = true; });
  await page.getByRole('button', { name: 'New conversation' }).click();
  const dialog = page.getByRole('dialog', { name: 'New conversation' });
  await dialog.getByLabel('First message').fill(`Half written ${run}`);

  const team = admin.locator('article.team', { has: admin.getByRole('heading', { name: desk }) });
  await team.getByLabel(`Add to ${desk}`).selectOption({ label: ada.name });
  await team.getByRole('button', { name: 'Add', exact: true }).click();
  await team.locator('ul.members li', { hasText: ada.name }).waitFor();
  // A customer writes after the change: events reach a page in commit order, so once the new
  // conversation shows on Ada's page, the team change has reached it too.
  const sent = await inbound(d.token, { external_id: `e2e-ada-${run}`, contact: { email: `ada-customer-${run}@example.com` },
    text: 'Is anyone there?' });
  await page.locator(`#rows li[data-id="${sent.conversation_id}"]`).waitFor();
  assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page did not reload');
  assert.equal(await dialog.isVisible(), true, 'the dialog is still open');
  assert.equal(await dialog.getByLabel('First message').inputValue(), `Half written ${run}`);
  await page.context().close();
  await admin.context().close();
});
