// Feedback and service recovery (issue 16, item 3), in Chromium against `make e2e`'s server: a
// customer answers the survey of a resolved conversation through its link with a 1; the
// supervisor finds the follow-up on the feedback page, opens the conversation, reads the answer
// in the timeline and records the outcome; the feedback page's score filter changes the list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { useBrowser, browser, login as d, signIn, inbound, until, baseURL } from '../lib/browser.js';

const run = Date.now().toString(36);
let unhappy = 0;
let happy = 0;

useBrowser();

// api calls the JSON API as the demo admin.
async function api(method, path, body) {
  const res = await fetch(`${baseURL}${path}`, {
    method, headers: { Authorization: `Bearer ${d.token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

// supervisor reads the demo supervisor's sign-in from what `parley demo` printed.
function supervisor() {
  const m = /supervisor:\s+(\S+) \/ (\S+)/.exec(readFileSync(process.env.PARLEY_E2E_DEMO, 'utf8'));
  assert.ok(m, 'the demo printed no supervisor sign-in');
  return { email: m[1], password: m[2] };
}

// surveyLink resolves a new conversation and returns the path of its survey form, as the
// customer receives it in the survey message.
async function surveyLink(tag) {
  const sent = await inbound(d.token, { external_id: `fb-${run}-${tag}`, contact: { name: `Fay ${tag}`, email: `fay-${tag}-${run}@example.com` },
    subject: `Late delivery ${tag} ${run}`, text: 'Where is my order?' });
  const st = await api('POST', `/api/v1/conversations/${sent.conversation_id}/status`, { status: 'resolved' });
  assert.equal(st.status, 200);
  const path = await until('the survey message', async () => {
    const c = await api('GET', `/api/v1/conversations/${sent.conversation_id}`);
    for (const m of c.body?.messages ?? []) {
      const found = /\/survey\/[A-Za-z0-9_-]+/.exec(m.text ?? '');
      if (found) return found[0];
    }
    return null;
  });
  return { id: sent.conversation_id, path };
}

// answer fills the survey form as the customer does, in a browser with no session.
async function answer(path, score, comment) {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto(path);
  await page.getByRole('heading', { name: 'How did we do?' }).waitFor();
  await page.getByLabel(String(score), { exact: true }).check();
  await page.getByLabel('Anything you would like to tell us? (optional)').fill(comment);
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByText(`You rated us ${score} out of 5.`).waitFor();
  await context.close();
}

test('a low score opens a follow-up that the supervisor closes with its outcome', { timeout: 90_000 }, async () => {
  const low = await surveyLink('low');
  unhappy = low.id;
  const who = supervisor();
  const sup = await signIn(browser, who.email, who.password);
  await sup.getByRole('link', { name: 'Feedback', exact: true }).click();
  await sup.waitForURL(/\/feedback$/);
  await sup.locator('#live[data-state="live"]').waitFor();

  // The customer answers while the supervisor has Parley open: a note tells them at once.
  await answer(low.path, 1, `Nobody told me anything ${run}`);
  const note = sup.locator('.toast', { hasText: 'A customer rated us 1/5: a follow-up is waiting for you.' });
  await note.waitFor();
  await sup.reload();
  const row = sup.locator('#followups tr', { hasText: `Late delivery low ${run}` });
  await row.waitFor();
  assert.match(await row.innerText(), /open/);
  assert.match(await row.innerText(), /1\/5/);
  await row.getByRole('link').click();
  await sup.waitForURL(new RegExp(`/inbox/${unhappy}$`));

  await sup.locator('#timeline').getByText(`Customer rated 1/5: 'Nobody told me anything ${run}'`).waitFor();
  const box = sup.getByRole('region', { name: 'Follow-up: the customer gave 1/5' });
  await box.waitFor();
  await box.getByLabel('What was done').selectOption('refunded');
  await box.getByLabel('Note (optional)').fill('Refunded the shipping and called her.');
  // A colleague's note arrives while the outcome is being written: the conversation refreshes
  // live, and what the supervisor chose and wrote stays.
  const colleague = `Checked the courier's scan ${run}.`;
  assert.equal((await api('POST', `/api/v1/conversations/${unhappy}/messages`, { type: 'note', text: colleague })).status, 201);
  await sup.locator('#timeline').getByText(colleague).waitFor();
  assert.equal(await box.getByLabel('What was done').inputValue(), 'refunded');
  assert.equal(await box.getByLabel('Note (optional)').inputValue(), 'Refunded the shipping and called her.');
  await box.getByRole('button', { name: 'Record the outcome and close' }).click();
  await sup.getByText('Done: refunded (Refunded the shipping and called her.)').waitFor();
  await sup.locator('#timeline').getByText(/closed the follow-up: refunded \(Refunded the shipping and called her\.\)/).waitFor();

  const list = await api('GET', `/api/v1/followups?conversation=${unhappy}`);
  assert.equal(list.status, 200);
  assert.equal(list.body.followups.length, 1);
  assert.equal(list.body.followups[0].status, 'done');
  assert.equal(list.body.followups[0].outcome, 'refunded');
  await sup.context().close();
});

test('the feedback page filters answers by score', { timeout: 90_000 }, async () => {
  assert.ok(unhappy, 'the first test made the unhappy answer');
  const high = await surveyLink('high');
  happy = high.id;
  await answer(high.path, 5, `Great help ${run}`);

  const sup = await signIn(browser, d.email, d.password);
  await sup.goto('/feedback');
  const rowOf = (id) => sup.locator(`#feedback tr`, { has: sup.locator(`a[href="/inbox/${id}"]`) });
  await rowOf(unhappy).waitFor();
  await rowOf(happy).waitFor();

  await sup.getByLabel('Score').selectOption('1-2');
  await sup.getByRole('button', { name: 'Filter' }).click();
  await sup.waitForURL(/score=1-2/);
  await rowOf(unhappy).waitFor();
  assert.equal(await rowOf(happy).count(), 0);
  for (const s of await sup.locator('#feedback tr[data-score]').evaluateAll((rows) => rows.map((r) => Number(r.dataset.score)))) {
    assert.ok(s <= 2, `a ${s} in the 1-2 list`);
  }

  await sup.getByLabel('Score').selectOption('4-5');
  await sup.getByRole('button', { name: 'Filter' }).click();
  await sup.waitForURL(/score=4-5/);
  await rowOf(happy).waitFor();
  assert.equal(await rowOf(unhappy).count(), 0);
  await sup.context().close();
});
