// Password reset end to end, in headless Chromium against `make e2e`'s server, whose own mail
// goes to PARLEY_SMTP_URL: this file runs that SMTP server (a sink written here with node's net
// module) on PARLEY_E2E_SMTP_PORT and reads the mail it receives. An agent forgets their
// password, asks for a link ("Forgot password?" on the sign-in form), gets it by mail, sets a new
// password and signs in with it; the old password is refused and the link does not work twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { useBrowser, browser, login as d, signIn, baseURL } from '../lib/browser.js';

const run = Date.now().toString(36);
const agent = { name: 'Rita Reset', email: `rita-${run}@e2e.example`, password: 'e2e-password-1' };
const newPassword = `new-pass-${run}`;

// smtpSink is an SMTP server that accepts every message and keeps its recipients and data. It
// offers no STARTTLS and no AUTH: Parley then sends in the clear to this loopback address.
function smtpSink(port) {
  const mails = [];
  const server = net.createServer((socket) => {
    socket.setEncoding('latin1');
    let buf = '';
    let data = null; // the DATA being read, or null between commands
    let rcpt = [];
    const say = (line) => socket.write(line + '\r\n');
    say('220 sink.e2e ESMTP');
    socket.on('data', (chunk) => {
      buf += chunk;
      for (;;) {
        if (data !== null) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          data += buf.slice(0, end + 2);
          buf = buf.slice(end + 5);
          mails.push({ to: rcpt, data: data.replace(/^\.\./gm, '.') });
          data = null;
          rcpt = [];
          say('250 2.0.0 kept');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO') {
          say('250-sink.e2e');
          say('250 8BITMIME');
        } else if (verb === 'HELO' || verb === 'MAIL' || verb === 'RSET' || verb === 'NOOP') {
          say('250 OK');
        } else if (verb === 'RCPT') {
          rcpt.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
          say('250 OK');
        } else if (verb === 'DATA') {
          data = '';
          say('354 go ahead');
        } else if (verb === 'QUIT') {
          say('221 bye');
          socket.end();
          return;
        } else {
          say('502 not here');
        }
      }
    });
    socket.on('error', () => {});
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({ server, mails }));
  });
}

// mailTo waits for a mail to address and returns its decoded text.
async function mailTo(sink, address, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const m = sink.mails.find((x) => x.to.includes(address));
    if (m) {
      // Undo quoted-printable: soft line breaks, then =XX escapes.
      return m.data.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${address} within ${timeoutMs} ms; the sink has ${sink.mails.length}`);
}

let sink;
before(async () => {
  const port = Number(process.env.PARLEY_E2E_SMTP_PORT);
  if (!port) throw new Error('PARLEY_E2E_SMTP_PORT is not set: run the browser tests with `make e2e`');
  sink = await smtpSink(port);
});
after(() => sink?.server.close());

useBrowser();

test('an agent resets a forgotten password through the mailed link', async () => {
  const admin = await signIn(browser, d.email, d.password);
  await admin.goto('/admin/agents');
  await admin.getByLabel('Name', { exact: true }).fill(agent.name);
  await admin.getByLabel('Email', { exact: true }).fill(agent.email);
  await admin.getByLabel('Password (at least 10 characters)').fill(agent.password);
  await admin.getByRole('button', { name: 'Add agent' }).click();
  await admin.getByText('Agent added.').waitFor();
  await admin.context().close();

  const context = await browser.newContext({ baseURL });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await page.waitForURL('**/forgot');

  // An unknown address gets the same answer, and no mail.
  await page.getByLabel('Email').fill(`nobody-${run}@e2e.example`);
  await page.getByRole('button', { name: 'Send me a reset link' }).click();
  const unknown = (await page.getByRole('status').first().textContent()).replace(/\S+@e2e\.example/, 'X');

  await page.goto('/forgot');
  await page.getByLabel('Email').fill(agent.email);
  await page.getByRole('button', { name: 'Send me a reset link' }).click();
  const known = (await page.getByRole('status').first().textContent()).replace(/\S+@e2e\.example/, 'X');
  assert.equal(known, unknown, 'the answer tells whether the address exists');
  assert.match(known, /on its way/);

  const text = await mailTo(sink, agent.email);
  const link = /(https?:\/\/\S+\/reset\/pr_[A-Za-z0-9_-]+)/.exec(text)?.[1];
  assert.ok(link, `no reset link in the mail:\n${text}`);
  assert.ok(link.startsWith(baseURL), `the link ${link} is not on ${baseURL}`);
  assert.equal(sink.mails.filter((m) => m.to.some((a) => a.startsWith('nobody-'))).length, 0, 'an unknown address got mail');

  await page.goto(link);
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('New password again').fill(newPassword);
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.getByRole('heading', { name: 'Your password is set' }).waitFor();

  // The link works once.
  await page.goto(link);
  await page.getByText('invalid, expired or already used').waitFor();
  await context.close();

  // The old password is refused; the new one signs in.
  const old = await browser.newContext({ baseURL });
  const oldPage = await old.newPage();
  await oldPage.goto('/login');
  await oldPage.getByLabel('Email').fill(agent.email);
  await oldPage.getByLabel('Password').fill(agent.password);
  await oldPage.getByRole('button', { name: 'Sign in' }).click();
  await oldPage.getByText('Wrong email or password.').waitFor();
  await old.close();

  const rita = await signIn(browser, agent.email, newPassword);
  assert.ok(new URL(rita.url()).pathname.startsWith('/inbox'));
  await rita.context().close();
});

test('an agent changes their password and signs out every other session', async () => {
  const here = await signIn(browser, agent.email, newPassword);
  const there = await signIn(browser, agent.email, newPassword);
  await here.goto('/settings/password');
  await here.getByLabel('Current password').fill(newPassword);
  await here.getByLabel('New password', { exact: true }).fill('qwertyuiop');
  await here.getByLabel('New password again').fill('qwertyuiop');
  await here.getByRole('button', { name: 'Change password' }).click();
  await here.getByText('10,000 most common passwords; choose another').waitFor();

  const changed = `changed-${run}`;
  await here.getByLabel('Current password').fill(newPassword);
  await here.getByLabel('New password', { exact: true }).fill(changed);
  await here.getByLabel('New password again').fill(changed);
  await here.getByRole('button', { name: 'Change password' }).click();
  await here.getByText('Your password is changed.').waitFor();

  await here.getByRole('button', { name: 'Sign out of every other session' }).click();
  await here.getByText('Every other session is signed out.').waitFor();
  await there.goto('/inbox');
  await there.waitForURL('**/login**');
  await here.goto('/inbox');
  assert.ok(new URL(here.url()).pathname.startsWith('/inbox'), 'this session was signed out too');
  await here.context().close();
  await there.context().close();
});
