// Inboxes managed from the admin pages: an email inbox is added on the page after a "Test
// connection" that fails (an IMAP server this test runs on loopback refuses the login) and says
// why in plain words, its passwords never shown again; a chat inbox is added, its embed snippet
// shown, and its allowed origins edited.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { useBrowser, browser, login as d, signIn } from '../lib/browser.js';

const run = Date.now().toString(36);

useBrowser();

// refusingIMAP starts an IMAP server on a free loopback port that greets, then refuses every
// login.
async function refusingIMAP() {
  const server = createServer((sock) => {
    sock.write('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] e2e IMAP ready\r\n');
    let buf = '';
    sock.on('data', (chunk) => {
      buf += chunk.toString('latin1');
      let i;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const [tag, cmd] = line.split(' ');
        const verb = (cmd || '').toUpperCase();
        if (verb === 'LOGIN' || verb === 'AUTHENTICATE') sock.write(`${tag} NO [AUTHENTICATIONFAILED] Invalid credentials (e2e ${run})\r\n`);
        else if (verb === 'CAPABILITY') sock.write(`* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n${tag} OK done\r\n`);
        else if (verb === 'LOGOUT') sock.end(`* BYE\r\n${tag} OK bye\r\n`);
        else sock.write(`${tag} BAD unexpected\r\n`);
      }
    });
    sock.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: server.address().port };
}

test('an email inbox added from the page after a failing connection test', { timeout: 60_000 }, async () => {
  const imap = await refusingIMAP();
  const closed = createServer();
  await new Promise((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const smtpPort = closed.address().port;
  await new Promise((resolve) => closed.close(resolve)); // nothing listens there any more
  const imapPassword = `imap-pass-${run}`;
  try {
    const admin = await signIn(browser, d.email, d.password);
    await admin.goto('/admin/inboxes');
    await admin.getByRole('link', { name: 'Email', exact: true }).click();
    await admin.waitForURL(/\/admin\/inboxes\/new\?kind=email/);
    await admin.getByLabel('Name', { exact: true }).fill(`E2E mail ${run}`);
    await admin.getByLabel('Address', { exact: true }).fill(`help-${run}@example.com`);
    // OAuth2 sign-in shows its fields in place of the passwords; password sign-in (the default) the reverse.
    assert.ok(await admin.getByLabel('IMAP password', { exact: true }).isVisible());
    assert.ok(!(await admin.getByLabel('OAuth2 refresh token', { exact: true }).isVisible()));
    await admin.getByLabel('Sign-in', { exact: true }).selectOption('oauth2');
    await admin.getByLabel('OAuth2 refresh token', { exact: true }).waitFor();
    assert.ok(!(await admin.getByLabel('SMTP password', { exact: true }).isVisible()));
    await admin.getByLabel('Sign-in', { exact: true }).selectOption('password');
    await admin.getByLabel('IMAP password', { exact: true }).waitFor();
    await admin.getByLabel('IMAP server', { exact: true }).fill('127.0.0.1');
    await admin.getByLabel('IMAP security', { exact: true }).selectOption('none');
    await admin.getByLabel('IMAP port', { exact: true }).fill(String(imap.port));
    await admin.getByLabel('IMAP user name', { exact: true }).fill('support');
    await admin.getByLabel('IMAP password', { exact: true }).fill(imapPassword);
    await admin.getByLabel('SMTP server', { exact: true }).fill('127.0.0.1');
    await admin.getByLabel('SMTP port', { exact: true }).fill(String(smtpPort));

    await admin.getByRole('button', { name: 'Test connection' }).click();
    const imapCheck = admin.locator('#checks [data-check="IMAP"]');
    await imapCheck.waitFor();
    assert.match(await imapCheck.innerText(), new RegExp(`IMAP: ✗ login refused by 127\\.0\\.0\\.1: .*Invalid credentials \\(e2e ${run}\\)`));
    assert.match(await admin.locator('#checks [data-check="SMTP"]').innerText(), /SMTP: ✗ .*127\.0\.0\.1:\d+.*refused/);
    // The test kept the form as typed, the password included, and stored nothing.
    assert.equal(await admin.getByLabel('IMAP password', { exact: true }).inputValue(), imapPassword);

    await admin.getByRole('button', { name: 'Add inbox' }).click();
    await admin.getByText('Inbox added.').waitFor();
    assert.match(admin.url(), /\/admin\/inboxes\/\d+\?saved=created/);
    assert.ok(!(await admin.content()).includes(imapPassword), 'the saved password is shown back');
    assert.equal(await admin.getByLabel('IMAP password', { exact: true }).getAttribute('placeholder'), 'saved — leave blank to keep');
    assert.equal(await admin.getByLabel('IMAP server', { exact: true }).inputValue(), '127.0.0.1');

    // Disabled, it is not polled (its server is gone after this test).
    await admin.getByRole('button', { name: 'Disable inbox' }).click();
    await admin.getByText('Inbox disabled').waitFor();
    await admin.goto('/admin/inboxes');
    const row = admin.locator('tr', { hasText: `E2E mail ${run}` });
    assert.match(await row.innerText(), /disabled/);
    await admin.context().close();
  } finally {
    imap.server.close();
  }
});

test("a chat inbox's allowed origins edited from the page", { timeout: 60_000 }, async () => {
  const admin = await signIn(browser, d.email, d.password);
  await admin.goto('/admin/inboxes/new?kind=chat');
  await admin.getByLabel('Name', { exact: true }).fill(`E2E chat ${run}`);
  await admin.getByLabel('Allowed origins', { exact: true }).fill('https://shop.example.com');
  await admin.getByLabel('Greeting', { exact: true }).fill('Hi from e2e');
  await admin.getByLabel('Accent colour', { exact: true }).fill('#0a7d4f');
  await admin.getByRole('button', { name: 'Add inbox' }).click();
  await admin.getByText('Inbox added.').waitFor();
  const secret = await admin.locator('#once-secret code').first().innerText();
  assert.match(secret, /^[0-9a-f]{64}$/);
  const snippet = await admin.locator('#embed').inputValue();
  assert.match(snippet, /^<script src="[^"]+\/chat\/widget\.js" data-inbox="\d+" data-greeting="Hi from e2e" data-color="#0a7d4f" async><\/script>$/);
  const id = /data-inbox="(\d+)"/.exec(snippet)[1];

  await admin.goto(`/admin/inboxes/${id}`);
  assert.ok(!(await admin.content()).includes(secret), 'the identity secret is shown again');
  await admin.getByLabel('Allowed origins', { exact: true }).fill('https://shop.example.com\nhttps://help.example.com');
  await admin.getByRole('button', { name: 'Save inbox' }).click();
  await admin.getByText('Inbox saved.').waitFor();
  assert.equal(await admin.getByLabel('Allowed origins', { exact: true }).inputValue(), 'https://shop.example.com\nhttps://help.example.com');

  // A bad origin is refused with the field named, and nothing changes.
  await admin.getByLabel('Allowed origins', { exact: true }).fill('help.example.com/path');
  await admin.getByRole('button', { name: 'Save inbox' }).click();
  await admin.getByText(/Please check origin/).waitFor();
  await admin.goto(`/admin/inboxes/${id}`);
  assert.equal(await admin.getByLabel('Allowed origins', { exact: true }).inputValue(), 'https://shop.example.com\nhttps://help.example.com');
  await admin.context().close();
});
