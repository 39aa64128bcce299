// a11y.test.js: axe-core over every page of the app, at 1440x900 and at 390x844; a critical or
// serious finding fails the run, named by page, rule, impact and element.
//
// The pages are found, not listed: signed in as the demo admin, the test follows every link of
// our own origin from the inbox (the header's sections, the admin pages' tabs, a conversation,
// a contact, a company, ...), one page per address shape (/contacts/{id} once). The pages no
// link reaches are visited on purpose: the signed-out ones, an error page and the two-factor
// steps. At the end every page template (web/templates/*.html, named in the page's
// body[data-view]) must have been checked, so a new page is never silently left out.
//
// axe-core comes from node_modules (npm), injected into each page; the contexts bypass the
// pages' Content-Security-Policy for that script only (a test-only setting of Chromium).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { useBrowser, browser, login, baseURL, inbound } from '../lib/browser.js';
import { totp, stepNow } from '../lib/totp.js';
import { axeFindings } from '../lib/axe.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = path.join(here, '..', '..', 'bin', 'parley');
const templates = readdirSync(path.join(here, '..', '..', 'web', 'templates'))
  .filter((f) => f.endsWith('.html') && f !== 'layout.html').map((f) => f.replace(/\.html$/, ''));

const viewports = [{ width: 1440, height: 900 }, { width: 390, height: 844 }];
const run = Date.now().toString(36);

// Links the crawl does not follow: downloads, the JSON API, sign-out, and River's own job UI
// (a third-party app mounted at /admin/jobs/, not our pages).
const skip = [/\.csv$/, /\/export(\/|$)/, /^\/api\/v1\//, /^\/logout$/, /^\/admin\/jobs\//, /^\/static\//, /^\/chat\//];

// seen holds the templates checked so far (body[data-view]), for the last test.
const seen = new Set();

useBrowser();

async function newContext() {
  return browser.newContext({ baseURL, viewport: viewports[0], bypassCSP: true });
}

async function signInAs(context, email, password) {
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  return page;
}

// check runs axe-core on the page as it is, at each viewport, and adds its critical and
// serious findings to findings.
async function check(page, findings) {
  const url = new URL(page.url());
  const where = url.pathname + url.search;
  const view = await page.evaluate(() => document.body.dataset.view || '');
  if (view) seen.add(view);
  for (const vp of viewports) {
    await page.setViewportSize(vp);
    // Two frames: the page's resize observers have run (app.js marks the table boxes that
    // overflow at this width).
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    findings.push(...await axeFindings(page, `${where} (${view || 'no view'}) at ${vp.width}x${vp.height}`));
  }
  await page.setViewportSize(viewports[0]);
}

function report(findings) {
  assert.equal(findings.length, 0, `axe-core found ${findings.length} critical or serious problems:\n  ${findings.join('\n  ')}`);
}

// shape is a path with its numbers as {id}: one page per shape is enough.
const shape = (p) => p.replace(/\/\d+(?=\/|$)/g, '/{id}');

test('every page an admin reaches by its links passes axe-core at 1440x900 and 390x844', { timeout: 600_000 }, async () => {
  const context = await newContext();
  const page = await signInAs(context, login.email, login.password);
  const origin = new URL(baseURL).origin;
  const queue = ['/inbox'];
  const shapes = new Set([shape('/inbox')]);
  const findings = [];
  const broken = [];
  const visited = [];
  while (queue.length) {
    const href = queue.shift();
    const res = await page.goto(href);
    if (!res || res.status() >= 400) {
      broken.push(`${href}: ${res?.status()}`);
      continue;
    }
    visited.push(href);
    await check(page, findings);
    const links = await page.evaluate(() => [...document.querySelectorAll('a[href]:not([download])')].map((a) => a.href));
    for (const link of links) {
      const u = new URL(link);
      if (u.origin !== origin || skip.some((re) => re.test(u.pathname))) continue;
      const key = shape(u.pathname);
      if (shapes.has(key)) continue;
      shapes.add(key);
      queue.push(u.pathname + u.search);
    }
  }
  await context.close();
  console.log(`checked ${visited.length} pages:\n  ${visited.join('\n  ')}`);
  assert.deepEqual(broken, [], 'links that lead nowhere');
  // The crawl reached the detail pages, not only the lists.
  for (const p of ['/inbox/{id}', '/contacts/{id}', '/companies/{id}', '/admin/sla', '/dashboard', '/complaints', '/sla/breaches', '/settings/tokens']) {
    assert.ok(shapes.has(p), `the crawl never reached ${p}`);
  }
  report(findings);
});

test('the signed-out pages, the error pages and the previews of a merge and an import pass axe-core', { timeout: 120_000 }, async () => {
  const findings = [];
  const context = await newContext();
  const page = await context.newPage();
  for (const p of ['/login', '/forgot', '/reset/not-a-real-token', '/no-such-page']) {
    await page.goto(p);
    await check(page, findings);
  }
  // A wrong password: the sign-in form with its error.
  await page.goto('/login');
  await page.getByLabel('Email').fill('nobody@example.com');
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').waitFor();
  await check(page, findings);
  await context.close();

  // An error page with the header of a signed-in agent.
  const signed = await newContext();
  const admin = await signInAs(signed, login.email, login.password);
  const res = await admin.goto('/contacts/999999999');
  assert.equal(res.status(), 404);
  await check(admin, findings);
  // The preview of a merge of two contacts (linked only when the two look alike).
  const a = await inbound(login.token, { external_id: `a11y-${run}-a`, contact: { name: `Axel ${run}`, email: `axel-${run}@example.com` }, subject: 'Hello', text: 'One.' });
  const b = await inbound(login.token, { external_id: `a11y-${run}-b`, contact: { name: `Axel ${run}`, phone: '+15555550123' }, subject: 'Hello', text: 'Two.' });
  assert.notEqual(a.contact_id, b.contact_id);
  assert.equal((await admin.goto(`/contacts/${a.contact_id}/merge?other_id=${b.contact_id}`)).status(), 200);
  await check(admin, findings);
  // The preview of a contact import (the answer to a form's POST: no link leads there).
  await admin.goto('/contacts');
  await admin.getByLabel(/CSV file/).setInputFiles({ name: 'contacts.csv', mimeType: 'text/csv',
    buffer: Buffer.from(`name,email\nAxe Tester,axe-${run}@example.com\nNo Email,not-an-address\n`) });
  await admin.getByRole('button', { name: 'Preview the import' }).click();
  await admin.waitForURL('**/contacts/import');
  await check(admin, findings);
  await signed.close();
  report(findings);
});

test('the two-factor pages pass axe-core: setup, recovery codes, the code step and enrolment', { timeout: 180_000 }, async () => {
  const findings = [];
  const email = `a11y-${run}@example.com`;
  const password = `pw-${run}-long`;
  execFileSync(bin, ['agent', 'add', '--email', email, '--name', `Ada ${run}`, '--role', 'agent'], { input: `${password}\n` });
  const context = await newContext();
  const page = await signInAs(context, email, password);
  await page.goto('/settings/2fa');
  await check(page, findings);
  await page.getByRole('button', { name: 'Set up two-factor' }).click();
  await page.locator('#totp-secret').waitFor();
  await check(page, findings);
  const secret = (await page.locator('#totp-secret').innerText()).replace(/\s/g, '');
  await page.getByLabel('Code from your app').fill(totp(secret, stepNow()));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.locator('#recovery-codes').waitFor();
  await check(page, findings);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login(\?|$)/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/login/code');
  await check(page, findings);
  await context.close();

  // Enrolment: an agent whose role requires two-factor and who has none. The requirement is
  // the admin's, turned on for agents for this step and off again whatever happens.
  const other = `a11y-enrol-${run}@example.com`;
  execFileSync(bin, ['agent', 'add', '--email', other, '--name', `Enid ${run}`, '--role', 'agent'], { input: `${password}\n` });
  const adminContext = await newContext();
  const admin = await signInAs(adminContext, login.email, login.password);
  const requireForAgents = async (on) => {
    await admin.goto('/admin/security');
    await admin.getByLabel('agents').setChecked(on);
    await admin.getByRole('button', { name: 'Save' }).click();
    await admin.waitForLoadState();
  };
  try {
    await requireForAgents(true);
    const enrolContext = await newContext();
    const enrol = await enrolContext.newPage();
    await enrol.goto('/login');
    await enrol.getByLabel('Email').fill(other);
    await enrol.getByLabel('Password').fill(password);
    await enrol.getByRole('button', { name: 'Sign in' }).click();
    await enrol.waitForURL('**/login/enrol');
    await check(enrol, findings);
    await enrolContext.close();
  } finally {
    await requireForAgents(false);
    await adminContext.close();
  }
  report(findings);
});

test('every page template was checked', () => {
  const missed = templates.filter((t) => !seen.has(t));
  assert.deepEqual(missed, [], `page templates no check reached (add a link or a visit): ${missed.join(', ')}`);
});
