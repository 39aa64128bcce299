// The contact pages end to end: an admin defines a list attribute; two customers write; the
// contact list finds one by name and opens its page, where an agent sets the attribute through
// the profile form; the list's tier filter keeps or drops the customer; the second customer is
// merged in after a preview, and the merge is undone from the page. Then a rule made and edited
// on the rules page (tier gold: the VIP team, urgent) routes a gold customer's next message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { useBrowser, browser, login as d, signIn, inbound, baseURL, until } from '../lib/browser.js';

const run = Date.now().toString(36);

useBrowser();

test('the contact list finds a customer, whose page edits an attribute and merges with undo', { timeout: 90_000 }, async () => {
  const admin = await signIn(browser, d.email, d.password);

  // An admin defines the attribute (once: the key is per run).
  const key = `plan_${run}`;
  await admin.goto('/admin/attributes');
  const def = admin.getByRole('region', { name: 'Define an attribute' });
  await def.getByLabel('Key (a-z, 0-9, _)').fill(key);
  await def.getByLabel('Label').fill(`Plan ${run}`);
  await def.getByLabel('Type').selectOption('list');
  await def.getByLabel('Options of a list (comma separated)').fill('free, enterprise');
  await def.getByRole('button', { name: 'Save attribute' }).click();
  await admin.locator('p.notice', { hasText: 'Attribute saved.' }).waitFor();

  const name = `Zelda Quinn${run}`;
  const first = await inbound(d.token, { external_id: `e2e-contact-a-${run}`, contact: { email: `zelda-${run}@example.com`, name },
    subject: `Broken lamp ${run}`, text: 'The lamp arrived broken.' });
  const second = await inbound(d.token, { external_id: `e2e-contact-b-${run}`, contact: { phone: '+1555' + String(Date.now()).slice(-7) },
    text: `It is Zelda again, from my phone ${run}.` });

  // The list finds the customer by name and opens the page.
  await admin.goto('/contacts');
  await admin.getByRole('searchbox', { name: 'Search' }).fill(`zelda quinn${run}`);
  await admin.getByRole('button', { name: 'Search' }).click();
  const row = admin.locator(`tr[data-contact-id="${first.contact_id}"]`);
  await row.waitFor();
  assert.equal(await admin.locator('tbody tr[data-contact-id]').count(), 1);
  await row.getByRole('link', { name }).click();
  await admin.waitForURL(`**/contacts/${first.contact_id}`);
  await admin.getByRole('heading', { name }).waitFor();
  assert.match(await admin.locator('main').innerText(), new RegExp(`Broken lamp ${run}`));

  // The attribute, set through the profile form, is saved and shown.
  const profile = admin.getByRole('region', { name: 'Profile' });
  await profile.getByLabel(`Plan ${run}`).selectOption('enterprise');
  await profile.getByLabel('Tier').fill('gold');
  await profile.getByRole('button', { name: 'Save profile' }).click();
  await admin.locator('p.notice', { hasText: 'Saved.' }).waitFor();
  assert.equal(await admin.getByRole('region', { name: 'Profile' }).getByLabel(`Plan ${run}`).inputValue(), 'enterprise');
  assert.match(await admin.locator('main').innerText(), /tier gold/);

  // The list's tier filter, with the search: gold keeps the customer, another tier drops her.
  for (const [tier, rows] of [['gold', 1], ['bronze', 0]]) {
    await admin.goto('/contacts');
    await admin.getByRole('searchbox', { name: 'Search' }).fill(`zelda quinn${run}`);
    await admin.getByLabel('Tier').fill(tier);
    await admin.getByRole('button', { name: 'Search' }).click();
    await admin.waitForURL((u) => u.searchParams.get('tier') === tier);
    assert.equal(await admin.locator('tbody tr[data-contact-id]').count(), rows, `tier ${tier}`);
  }
  await admin.goto(`/contacts/${first.contact_id}`);

  // Merge the phone customer in, after the preview.
  const merges = admin.getByRole('region', { name: 'Merges' });
  await merges.getByLabel('Customer number to fold into this one').fill(String(second.contact_id));
  await merges.getByRole('button', { name: 'Preview the merge' }).click();
  await admin.getByRole('heading', { name: /^Merge #/ }).waitFor();
  assert.match(await admin.locator('#moving-conversations').innerText(), new RegExp(`#${second.conversation_id}`));
  await admin.getByRole('button', { name: 'Merge', exact: true }).click();
  await admin.locator('p.notice', { hasText: 'Merged.' }).waitFor();
  assert.match(await admin.getByRole('region', { name: 'Reached at' }).innerText(), /phone/);

  // Undo: the phone customer is a contact of their own again.
  await admin.getByRole('button', { name: /^Undo merge #/ }).click();
  await admin.locator('p.notice', { hasText: 'Merge undone.' }).waitFor();
  assert.doesNotMatch(await admin.getByRole('region', { name: 'Reached at' }).innerText(), /phone/);
  await admin.goto(`/contacts/${second.contact_id}`);
  assert.match(await admin.getByRole('region', { name: 'Reached at' }).innerText(), /phone/);
  await admin.context().close();
});

test('a tier rule made and edited on the rules page routes a gold customer\'s next message', { timeout: 60_000 }, async () => {
  const api = async (method, path, body) => {
    const res = await fetch(`${baseURL}${path}`, { method, headers: { Authorization: `Bearer ${d.token}`, 'Content-Type': 'application/json' },
      body: body && JSON.stringify(body) });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  const admin = await signIn(browser, d.email, d.password);
  const team = `VIP ${run}`;
  await admin.goto('/admin/teams');
  await admin.getByLabel('Name', { exact: true }).fill(team);
  await admin.getByRole('button', { name: 'Add team' }).click();
  const teamID = Number((await admin.getByLabel(`Add to ${team}`).getAttribute('id')).replace('add-', ''));

  // The rule, on the rules page: tier gold sends to the VIP team at high priority.
  const name = `Gold ${run}`;
  await admin.goto('/admin/rules');
  const form = admin.getByRole('region', { name: 'Add a rule' });
  await form.getByLabel('Name', { exact: true }).fill(name);
  await form.getByLabel('Customer tiers').fill('gold');
  await form.getByLabel('Send to team').selectOption({ label: team });
  await form.getByLabel('Set priority').selectOption('high');
  await form.getByRole('button', { name: 'Add rule' }).click();
  const row = admin.locator('tr[data-rule]', { hasText: name });
  await row.waitFor();
  assert.match(await row.innerText(), new RegExp(`tier gold[\\s\\S]*team ${team}; priority high`));

  // Edited: urgent instead of high; the tier and team are kept.
  await row.getByRole('button', { name: `Edit rule ${name}` }).click();
  const edit = admin.getByRole('region', { name: `Edit rule ${name}` });
  assert.equal(await edit.getByLabel('Customer tiers').inputValue(), 'gold');
  await edit.getByLabel('Set priority').selectOption('urgent');
  await edit.getByRole('button', { name: 'Save rule' }).click();
  await admin.locator('tr[data-rule]', { hasText: 'priority urgent' }).filter({ hasText: name }).waitFor();

  // A customer writes, is made gold on their page, and writes again: the new conversation is routed.
  const email = `tiered-${run}@example.com`;
  const first = await inbound(d.token, { external_id: `e2e-tier-a-${run}`, contact: { email, name: `Tiered ${run}` }, text: 'First question.' });
  await api('POST', `/api/v1/conversations/${first.conversation_id}/status`, { status: 'closed' });
  await admin.goto(`/contacts/${first.contact_id}`);
  await admin.getByRole('region', { name: 'Profile' }).getByLabel('Tier').fill('gold');
  await admin.getByRole('button', { name: 'Save profile' }).click();
  await admin.locator('p.notice', { hasText: 'Saved.' }).waitFor();

  const next = await inbound(d.token, { external_id: `e2e-tier-b-${run}`, contact: { email }, text: 'A new question.' });
  assert.notEqual(next.conversation_id, first.conversation_id);
  const routed = await until('the tier rule to route the conversation', async () => {
    const c = await api('GET', `/api/v1/conversations/${next.conversation_id}`);
    return c.priority === 'urgent' && c;
  });
  assert.equal(routed.team_id, teamID);

  // The rule goes, so later tests' customers are routed as before.
  admin.once('dialog', (dialog) => dialog.accept());
  await admin.goto('/admin/rules');
  await admin.getByRole('button', { name: `Delete rule ${name}` }).click();
  await admin.locator('tr[data-rule]', { hasText: name }).waitFor({ state: 'detached' });
  await admin.context().close();
});
