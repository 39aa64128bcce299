// Outgoing webhooks end to end: an admin adds an endpoint on the webhooks page (a receiver this
// test runs on loopback, which `make e2e` allows with PARLEY_WEBHOOK_ALLOW_PRIVATE), a customer
// writes, the receiver gets the signed event, and the page's delivery log shows it delivered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { useBrowser, browser, login as d, signIn, inbound, until } from '../lib/browser.js';

const run = Date.now().toString(36);
const secret = `e2e-webhook-secret-${run}`;

useBrowser();

// receive starts a receiver on a free loopback port; it answers 200 and keeps what it got.
async function receive() {
  const got = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(`received ${run}`);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { got, server, url: `http://127.0.0.1:${server.address().port}/hook-${run}` };
}

// verified reports whether a request's X-Parley-Signature is the HMAC of "t.body" with secret.
function verified({ headers, body }) {
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(headers['x-parley-signature'] || '');
  if (!m) return false;
  const want = createHmac('sha256', secret).update(`${m[1]}.${body}`).digest();
  return timingSafeEqual(want, Buffer.from(m[2], 'hex'));
}

test('a webhook endpoint added on the page receives a signed event, shown in its delivery log', { timeout: 90_000 }, async () => {
  const recv = await receive();
  try {
    const admin = await signIn(browser, d.email, d.password);
    await admin.goto('/admin/webhooks');
    const form = admin.getByRole('region', { name: 'Add an endpoint' });
    await form.getByLabel('URL').fill(recv.url);
    await form.getByLabel('Signing secret (blank: Parley makes one)').fill(secret);
    await form.getByLabel('Description').fill(`e2e ${run}`);
    await form.getByRole('button', { name: 'Add endpoint' }).click();
    const endpoint = admin.locator('article.webhook', { hasText: recv.url });
    await endpoint.waitFor();
    assert.match(await endpoint.innerText(), /enabled/);
    assert.match(await endpoint.innerText(), /message\.created/);

    const text = `Is my order ${run} on its way?`;
    const sent = await inbound(d.token, { external_id: `e2e-hook-${run}`, contact: { email: `hook-${run}@example.com` }, text });
    const req = await until('the receiver to get the message', () => recv.got.find((r) => r.body.includes(text)), 30_000);
    assert.ok(verified(req), `signature ${req.headers['x-parley-signature']} does not verify`);
    const payload = JSON.parse(req.body);
    assert.equal(payload.type, 'message.created');
    assert.equal(payload.event.conversation_id, sent.conversation_id);
    assert.equal(payload.message.text, text);

    // The log on the page shows the delivery, its answer and the redeliver button.
    const row = await until('the delivery log to show it delivered', async () => {
      await admin.goto('/admin/webhooks');
      const r = admin.locator('article.webhook', { hasText: recv.url }).locator('tr[data-delivery]', { hasText: 'succeeded' });
      return (await r.count()) > 0 && r.first();
    }, 30_000);
    const shown = await row.innerText();
    assert.match(shown, /message\.created/);
    assert.match(shown, /200/);
    assert.match(shown, new RegExp(`received ${run}`));
    assert.ok(await row.getByRole('button', { name: 'Redeliver' }).isVisible());
    await admin.context().close();
  } finally {
    recv.server.close();
  }
});
