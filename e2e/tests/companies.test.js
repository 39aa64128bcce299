// Companies and the contact CSV import end to end: a supervisor's form adds a company with an
// email domain; a customer writing from it joins the company, whose page lists them and their
// conversation; an admin uploads a CSV on the contact list, reads the dry run's preview
// (nothing changed yet), confirms, and finds the imported customer in the list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, browser, login as d, signIn, inbound } from '../lib/browser.js';

const run = Date.now().toString(36);

useBrowser();

test('a company page lists the customers of its domain and their conversations', { timeout: 60_000 }, async () => {
  const admin = await signIn(browser, d.email, d.password);
  const domain = `nimbus-${run}.example`;
  await admin.goto('/companies');
  const add = admin.getByRole('region', { name: 'Add a company' });
  await add.getByLabel('Name').fill(`Nimbus ${run}`);
  await add.getByLabel(/^Email domains/).fill(domain);
  await add.getByLabel('Tier').fill('gold');
  await add.getByRole('button', { name: 'Add company' }).click();
  await admin.getByRole('heading', { name: `Nimbus ${run}` }).waitFor();
  const companyURL = admin.url().split('?')[0];

  const msg = await inbound(d.token, { external_id: `e2e-company-${run}`, contact: { email: `ana@${domain}`, name: `Ana Nimbus${run}` },
    subject: `Invoice question ${run}`, text: 'Where is our invoice?' });
  await admin.goto(companyURL);
  const contacts = admin.getByRole('region', { name: 'Contacts' });
  await contacts.locator(`tr[data-contact-id="${msg.contact_id}"]`).getByRole('link', { name: `Ana Nimbus${run}` }).waitFor();
  await admin.getByRole('region', { name: 'Conversations' }).getByRole('link', { name: `Invoice question ${run}` }).waitFor();

  // The company is editable on its page.
  const profile = admin.getByRole('region', { name: 'Profile' });
  await profile.getByLabel('Tier').fill('platinum');
  await profile.getByRole('button', { name: 'Save company' }).click();
  await admin.locator('p.notice', { hasText: 'Saved.' }).waitFor();
  assert.match(await admin.locator('main').innerText(), /tier platinum/);

  // The customer's page links to the company.
  await admin.goto(`/contacts/${msg.contact_id}`);
  await admin.getByRole('link', { name: `Nimbus ${run}` }).click();
  await admin.waitForURL(companyURL);
  await admin.context().close();
});

test('a CSV import is previewed, then confirmed', { timeout: 60_000 }, async () => {
  const admin = await signIn(browser, d.email, d.password);
  const known = await inbound(d.token, { external_id: `e2e-import-${run}`, contact: { email: `known-${run}@example.com`, name: `Known ${run}` },
    text: 'Hello' });
  const file = `name,email,tier\nImported Iris${run},iris-${run}@example.com,silver\nKnown Person${run},KNOWN-${run}@example.com,gold\n`;

  await admin.goto('/contacts');
  const form = admin.getByRole('region', { name: 'Import contacts' });
  await form.getByLabel(/^CSV file/).setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv', buffer: Buffer.from(file) });
  await form.getByRole('button', { name: 'Preview the import' }).click();
  await admin.getByRole('heading', { name: 'Import preview' }).waitFor();
  assert.match(await admin.locator('#import-summary').innerText(), /2 rows would: 1 create, 1 update, 0 merge/);
  assert.match(await admin.locator('#import-rows').innerText(), new RegExp(`#${known.contact_id}`));

  // Nothing is created by the preview.
  const probe = await admin.context().request.get(`/contacts?q=iris-${run}`);
  assert.doesNotMatch(await probe.text(), new RegExp(`Imported Iris${run}`));

  await admin.getByRole('button', { name: 'Import 2 rows' }).click();
  await admin.locator('p.notice', { hasText: 'Imported: 1 created, 1 updated, 0 merged.' }).waitFor();

  await admin.goto('/contacts');
  await admin.getByRole('searchbox', { name: 'Search' }).fill(`iris-${run}`);
  await admin.getByRole('button', { name: 'Search' }).click();
  await admin.getByRole('link', { name: `Imported Iris${run}` }).waitFor();
  await admin.goto(`/contacts/${known.contact_id}`);
  await admin.getByRole('heading', { name: `Known Person${run}` }).waitFor();
  await admin.context().close();
});
