// Two-factor sign-in end to end: a new agent turns TOTP on from their settings (reading the
// secret shown as text beside the QR code, as someone without a camera would), signs out, and
// signs in again with the password and then a code; a wrong code is refused. The codes are
// computed by lib/totp.js (RFC 6238).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { useBrowser, browser, baseURL } from '../lib/browser.js';
import { totp, stepNow } from '../lib/totp.js';

const run = Date.now().toString(36);
const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'parley');

useBrowser();

test('the RFC 6238 test vector', () => {
  // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082, of which 6 digits are 287082.
  // The secret is the ASCII of 12345678901234567890, in base32.
  assert.equal(totp('GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ', 1), '287082');
});

test('an agent turns on two-factor, then signs in with password and code; a wrong code is refused', { timeout: 120_000 }, async () => {
  const email = `tfa-${run}@example.com`;
  const password = `pw-${run}-long`;
  execFileSync(bin, ['agent', 'add', '--email', email, '--name', `Tess ${run}`, '--role', 'agent'], { input: `${password}\n` });

  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/inbox');

  await page.goto('/settings/2fa');
  await page.getByRole('button', { name: 'Set up two-factor' }).click();
  const qr = page.getByRole('img', { name: 'QR code of your two-factor secret' });
  assert.match(await qr.getAttribute('src'), /^data:image\/png;base64,/);
  assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), 'the QR code image decodes');
  const secret = (await page.locator('#totp-secret').innerText()).replace(/\s/g, '');
  assert.match(secret, /^[A-Z2-7]{16,}$/);
  const enrolStep = stepNow();
  await page.getByLabel('Code from your app').fill(totp(secret, enrolStep));
  await page.getByRole('button', { name: 'Turn on' }).click();
  const codes = await page.locator('#recovery-codes code').allInnerTexts();
  assert.equal(codes.length, 10);
  await page.getByRole('link', { name: 'I have saved them, continue' }).click();
  assert.match(await page.locator('#tfa-status').innerText(), /is on/);

  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL(/\/login(\?|$)/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/login/code');
  // Not signed in yet: the inbox sends us back to the sign-in form.
  const probe = await context.request.get('/inbox', { maxRedirects: 0 });
  assert.equal(probe.status(), 303);

  // A wrong code: one that is no code of this step or either neighbour.
  const near = [-1, 0, 1].map((d) => totp(secret, stepNow() + d));
  const wrong = ['000000', '111111', '222222', '333333'].find((c) => !near.includes(c));
  await page.getByLabel('Code from your authenticator app').fill(wrong);
  await page.getByRole('button', { name: 'Continue' }).click();
  assert.match(await page.getByRole('alert').innerText(), /Wrong code/);
  assert.ok(new URL(page.url()).pathname.startsWith('/login'));

  // The enrolment's code is spent; the next step's code is one the server takes already (it
  // allows a step of drift either way), so no waiting for the clock.
  assert.ok(stepNow() <= enrolStep + 2, 'the next step is still within the allowed drift');
  await page.getByLabel('Code from your authenticator app').fill(totp(secret, enrolStep + 1));
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL('**/inbox');
  assert.match(await page.locator('body').getAttribute('data-agent-name'), new RegExp(`Tess ${run}`));
  await context.close();
});
