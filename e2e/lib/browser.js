// lib/browser.js: headless Debian Chromium through playwright-core, and the server under test.
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const baseURL = process.env.PARLEY_E2E_URL || 'http://127.0.0.1:8080';
export const artifacts = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'artifacts');
mkdirSync(artifacts, { recursive: true });

// launch starts Chromium with the flags a container needs.
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// demo reads what `parley demo` printed: the admin's sign-in and an API token.
export function demo() {
  const file = process.env.PARLEY_E2E_DEMO;
  if (!file) throw new Error('PARLEY_E2E_DEMO is not set: run the browser tests with `make e2e`');
  const text = readFileSync(file, 'utf8');
  const login = /sign in:\s+(\S+) \/ (\S+)/.exec(text);
  const token = /API token:\s+(\S+)/.exec(text);
  if (!login || !token) throw new Error(`cannot read the demo login from ${file}:\n${text}`);
  return { email: login[1], password: login[2], token: token[1] };
}

// personAddress is a network address of one's own for each person a test signs in: make e2e
// runs the server behind loopback as a trusted proxy (PARLEY_TRUSTED_PROXIES), so the server
// sees each person come from their own address, as people do. Otherwise every sign-in of the
// suite would come from 127.0.0.1, and the wrong passwords some tests type on purpose would
// add up to the per-address throttle and slow down the sign-ins of unrelated tests running
// beside them.
function personAddress() {
  const b = () => 1 + Math.floor(Math.random() * 254);
  return `10.${b()}.${b()}.${b()}`;
}

// signIn opens a new browser context (a separate cookie jar: one person, with an address of
// their own) and signs in. options go to the context (bypassCSP: true for the tests that add
// axe-core to the pages).
export async function signIn(browser, email, password, viewport = { width: 1366, height: 860 }, options = {}) {
  const context = await browser.newContext({ ...options, baseURL, viewport,
    extraHTTPHeaders: { ...options.extraHTTPHeaders, 'X-Forwarded-For': personAddress() } });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error(`[${email}] page error:`, err.message));
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  return page;
}

// inbound posts a customer message to the API channel, as an integration would.
export async function inbound(token, body) {
  const res = await fetch(`${baseURL}/api/v1/inbound`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 201) throw new Error(`inbound: ${res.status} ${await res.text()}`);
  return res.json();
}

// addColleague adds an agent through the admin page, as the admin signed in on page: a test's
// own colleague, so that no test changes the demo admin every other test signs in with.
export async function addColleague(page, { name, email, role, password }) {
  await page.goto('/admin/agents');
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Role', { exact: true }).selectOption(role);
  await page.getByLabel('Password (at least 10 characters)').fill(password);
  await page.getByRole('button', { name: 'Add agent' }).click();
  await page.getByText('Agent added.').waitFor();
}

// until polls fn until it returns a truthy value, or fails after ms.
export async function until(what, fn, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// browser and login are the Chromium and the demo login of the test file that called useBrowser,
// set before its tests run.
export let browser;
export let login;

// useBrowser registers, in the calling test file, hooks that read the demo login and start
// Chromium before its tests, and close Chromium after them.
export function useBrowser() {
  before(async () => {
    login = demo();
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });
}

// openShop opens the demo shop (/chat/demo) in a new context of browser. The widget's shadow
// root is closed to the page; openShop opens it so that locators reach the widget. With clock,
// the page runs on a fake clock from a fixed time.
export async function openShop(browser, { clock } = {}) {
  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.error('widget page error:', err.message));
  await page.addInitScript(() => {
    const attach = Element.prototype.attachShadow;
    Element.prototype.attachShadow = function (o) { return attach.call(this, { ...o, mode: 'open' }); };
  });
  if (clock) await page.clock.install({ time: new Date('2026-06-01T10:00:00Z') });
  await page.goto('/chat/demo');
  return page;
}
