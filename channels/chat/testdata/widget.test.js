// Behaviour of widget.js against a fake browser and a scripted server. Run by
// TestWidgetBehaviour (assets_test.go) as `node --test testdata/widget.test.js`.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const {load, widgetTexts} = require('./fakedom.js');

const WS_URL = 'wss://parley.test/chat/ws?inbox=7';
// LANGS is the fake browser's navigator.languages, which every hello carries.
const LANGS = ['en-US', 'en'];

// chatting returns a widget whose visitor skipped the form and got a welcome.
function chatting(opts) {
  const env = load(opts);
  env.byLabel('Open chat').dispatch('click');
  env.byClass('pre')[0].dispatch('submit', {submitter: env.byText('button', 'Skip')});
  env.socket().accept();
  env.socket().push({type: 'welcome', token: 'T1', visitor_id: 'v_1', conversation: null});
  return env;
}

function write(env, text) {
  const ta = env.byLabel('Message');
  ta.value = text;
  ta.dispatch('input');
  ta.dispatch('keydown', {key: 'Enter', shiftKey: false, isComposing: false});
}

const bubbles = env => env.byClass('msg').map(e => e.textContent);

test('loads without globals but Parley, inside a closed shadow root', () => {
  const env = load();
  assert.equal(env.win.Parley.v, 1);
  assert.equal(env.host.shadowMode, 'closed');
  assert.equal(env.host.style.all, 'initial !important');
  assert.equal(env.sockets.length, 0, 'a new visitor connects only when the chat opens');
  assert.deepEqual(env.warnings, []);
});

test('finds its script by src when currentScript is missing', () => {
  const env = load({currentScript: false});
  assert.ok(env.root, 'the widget was drawn');
});

test('refuses to start without data-inbox', () => {
  const env = load({inbox: ''});
  assert.equal(env.root, undefined);
  assert.match(env.warnings[0], /data-inbox/);
});

test('the pre-chat form sends name and email in hello', () => {
  const env = load();
  const launch = env.byLabel('Open chat');
  launch.dispatch('click');
  assert.equal(launch.getAttribute('aria-expanded'), 'true');
  const name = env.q(e => e.getAttribute('autocomplete') === 'name')[0];
  assert.equal(env.doc.focused, name, 'focus moves to the first field');
  name.value = ' Ann ';
  env.q(e => e.getAttribute('type') === 'email')[0].value = 'ann@example.com';
  env.byClass('pre')[0].dispatch('submit', {submitter: env.byText('button', 'Start chat')});
  assert.equal(env.doc.focused, env.byLabel('Message'));
  const ws = env.socket();
  assert.equal(ws.url, WS_URL);
  ws.accept();
  assert.deepEqual(ws.sent, [{type: 'hello', last_id: 0, name: 'Ann', email: 'ann@example.com', languages: LANGS}]);
});

test('skipping the form sends an anonymous hello', () => {
  const env = load();
  env.byLabel('Open chat').dispatch('click');
  env.byClass('pre')[0].dispatch('submit', {submitter: env.byText('button', 'Skip')});
  env.socket().accept();
  assert.deepEqual(env.socket().sent, [{type: 'hello', last_id: 0, languages: LANGS}]);
});

test('a message is queued, sent with a client_id and acknowledged', () => {
  const env = chatting();
  assert.equal(env.byClass('conn')[0].textContent, '', 'connected: no connection notice');
  assert.equal(env.stored().t, 'T1');
  write(env, '  Hi <b>there</b> ');
  const [sent] = env.socket().frames('message');
  assert.equal(sent.text, 'Hi <b>there</b>');
  assert.match(sent.client_id, /^[0-9a-f]{24}$/);
  assert.equal(env.byLabel('Message').value, '');
  assert.deepEqual(env.stored().q, [{client_id: sent.client_id, text: 'Hi <b>there</b>'}]);
  assert.match(env.byClass('msg')[0].textContent, /Sending…$/);

  env.socket().push({type: 'message', id: 5, client_id: sent.client_id, direction: 'inbound',
    author_name: 'Ann', text: 'Hi <b>there</b>', created_at: '2025-01-01T10:00:00Z'});
  const msgs = env.byClass('msg');
  assert.equal(msgs.length, 1, 'the acknowledgement replaces the pending bubble');
  assert.equal(msgs[0].childNodes[0].constructor.name, 'Text', 'text is a text node, not markup');
  assert.equal(msgs[0].childNodes[0].textContent, 'Hi <b>there</b>');
  assert.doesNotMatch(msgs[0].textContent, /Sending/);
  assert.deepEqual(env.stored().q, []);
  assert.equal(env.stored().l, 5);
});

test('typing is throttled both ways', () => {
  const env = chatting();
  const ta = env.byLabel('Message');
  ta.value = 'h';
  ta.dispatch('input');
  env.tick(1000);
  ta.dispatch('input');
  assert.deepEqual(env.socket().frames('typing'), [{type: 'typing', on: true}], 'one "on" per 3 s');
  env.tick(2500);
  ta.dispatch('input');
  assert.equal(env.socket().frames('typing').length, 2, 'refreshed after 3 s');
  env.tick(4000);
  assert.deepEqual(env.socket().frames('typing').at(-1), {type: 'typing', on: false}, 'off after 4 s idle');

  const ind = env.byClass('typing')[0];
  env.socket().push({type: 'typing', agent_name: 'Ana', on: true});
  assert.equal(ind.textContent, 'Ana is typing…');
  env.tick(5999);
  assert.equal(ind.textContent, 'Ana is typing…');
  env.tick(1);
  assert.equal(ind.textContent, '', 'a stale indicator hides after 6 s');
});

test('reconnects with backoff, resends the queue and shows no duplicates', () => {
  const env = chatting();
  env.socket().push({type: 'message', id: 6, direction: 'outbound', author_name: 'Ana', text: 'Hello!',
    created_at: '2025-01-01T10:00:00Z'});
  env.socket().drop(1006);
  assert.equal(env.byClass('conn')[0].textContent, 'Offline. Reconnecting…');
  write(env, 'are you there?');
  const [queued] = env.stored().q;
  assert.equal(env.sockets.length, 1);

  const delay = env.timers[env.timers.length - 1].ms;
  assert.ok(delay >= 500 && delay <= 1000, `first retry after ${delay} ms`);
  env.tick(1000);
  assert.equal(env.sockets.length, 2);
  const ws = env.socket();
  ws.accept();
  assert.deepEqual(ws.sent[0], {type: 'hello', token: 'T1', last_id: 6, languages: LANGS});
  ws.push({type: 'welcome', token: 'T1', visitor_id: 'v_1', conversation: {id: 3, status: 'open', agent_name: 'Ana'}});
  assert.deepEqual(ws.frames('message'), [{type: 'message', client_id: queued.client_id, text: 'are you there?'}]);
  assert.match(env.byClass('sub')[0].textContent, /Chatting with Ana/);
  ws.push({type: 'message', id: 6, direction: 'outbound', author_name: 'Ana', text: 'Hello!', created_at: '2025-01-01T10:00:00Z'});
  ws.push({type: 'message', id: 7, client_id: queued.client_id, direction: 'inbound', author_name: 'You',
    text: 'are you there?', created_at: '2025-01-01T10:01:00Z'});
  ws.push({type: 'message', id: 7, client_id: queued.client_id, direction: 'inbound', author_name: 'You',
    text: 'are you there?', created_at: '2025-01-01T10:01:00Z'});
  assert.equal(bubbles(env).length, 2);
  assert.deepEqual(env.stored().m.map(m => m.id), [6, 7], 'each message stored once');
  assert.deepEqual(env.stored().q, []);
});

test('backoff doubles with jitter up to 30 s', () => {
  const env = chatting();
  for (const max of [1000, 2000, 4000, 8000, 16000, 30000, 30000]) {
    env.socket().drop(1006);
    const delay = env.timers[env.timers.length - 1].ms;
    assert.ok(delay >= max / 2 && delay <= max, `retry after ${delay} ms, want ${max / 2}-${max}`);
    env.tick(delay);
    env.socket().accept();
  }
  env.socket().push({type: 'welcome', token: 'T1', visitor_id: 'v_1', conversation: null});
  env.socket().drop(1006);
  assert.ok(env.timers[env.timers.length - 1].ms <= 1000, 'a welcome resets the backoff');
});

test('coming back to the tab or online retries at once', () => {
  const env = chatting();
  env.socket().drop(1006);
  env.tick(1000);
  env.socket().drop(1006);
  assert.equal(env.sockets.length, 2);
  env.doc.dispatch('visibilitychange');
  assert.equal(env.sockets.length, 3, 'no wait for the backoff');
  env.socket().drop(1006);
  env.winListeners.online();
  assert.equal(env.sockets.length, 4);
  env.winListeners.online();
  assert.equal(env.sockets.length, 4, 'a live connection is kept');
});

test('close 1008 stops reconnecting', () => {
  const env = chatting();
  env.socket().drop(1008);
  assert.equal(env.timers.filter(t => t.ms >= 500).length, 0);
  assert.equal(env.byClass('conn')[0].textContent, 'Chat is unavailable right now.');
});

test('history and token survive a reload', () => {
  const first = chatting();
  write(first, 'one');
  const [m] = first.socket().frames('message');
  first.socket().push({type: 'message', id: 8, client_id: m.client_id, direction: 'inbound', author_name: 'You', text: 'one',
    created_at: '2025-01-01T10:00:00Z'});
  first.socket().drop(1006);
  write(first, 'two (unsent)');

  const env = load({storage: first.storage});
  assert.equal(env.sockets.length, 1, 'a returning visitor connects at once');
  assert.deepEqual(bubbles(env).map(t => t.split('\n')[0].replace(/You ·.*|Sending…/, '')), ['one', 'two (unsent)']);
  env.socket().accept();
  assert.deepEqual(env.socket().sent[0], {type: 'hello', token: 'T1', last_id: 8, languages: LANGS});
  env.byLabel('Open chat').dispatch('click');
  assert.ok(env.byClass('pre')[0].hidden, 'no form for a returning visitor');
});

test('a new visitor id drops the old history', () => {
  const env = chatting();
  env.socket().push({type: 'message', id: 9, direction: 'outbound', author_name: 'Ana', text: 'old', created_at: '2025-01-01T10:00:00Z'});
  env.socket().drop(1006);
  env.tick(1000);
  env.socket().accept();
  env.socket().push({type: 'welcome', token: 'T2', visitor_id: 'v_2', conversation: null});
  assert.deepEqual(bubbles(env), []);
  assert.equal(env.stored().l, 0);
  assert.equal(env.stored().t, 'T2');
});

test('unread replies badge the launcher while the panel is closed', () => {
  const env = chatting();
  env.root.all(e => e.getAttribute('role') === 'dialog')[0].dispatch('keydown', {key: 'Escape'});
  const launch = env.q(e => e.className === 'launch')[0];
  assert.equal(env.doc.focused, launch, 'Escape closes and returns focus to the launcher');
  assert.equal(launch.getAttribute('aria-expanded'), 'false');
  env.socket().push({type: 'message', id: 10, direction: 'outbound', author_name: 'Ana', text: 'ping', created_at: '2025-01-01T10:00:00Z'});
  assert.equal(env.byClass('badge')[0].textContent, '1');
  assert.equal(launch.getAttribute('aria-label'), 'Open chat, 1 unread');
  launch.dispatch('click');
  assert.equal(env.byClass('badge')[0].textContent, '');
});

test('status and survey: resolved, then a 1-5 rating', () => {
  const env = chatting();
  env.socket().push({type: 'status', status: 'resolved'});
  assert.match(env.byClass('sub')[0].textContent, /Resolved/);
  env.socket().push({type: 'survey', survey_id: 's1', prompt: 'How did we do?'});
  const card = env.byClass('rate')[0];
  assert.match(card.textContent, /How did we do\?/);
  card.dispatch('submit', {});
  assert.equal(env.socket().frames('rating').length, 0, 'no rating without a score');
  env.byLabel('4 out of 5').dispatch('click');
  assert.equal(env.byLabel('4 out of 5').getAttribute('aria-pressed'), 'true');
  assert.equal(env.byLabel('3 out of 5').getAttribute('aria-pressed'), 'false');
  env.byLabel('Comment (optional)').value = ' quick ';
  card.dispatch('submit', {});
  assert.deepEqual(env.socket().frames('rating'), [{type: 'rating', survey_id: 's1', score: 4, comment: 'quick'}]);
  assert.equal(card.textContent, 'Thank you for your feedback!');
  env.socket().push({type: 'survey', survey_id: 's1', prompt: 'How did we do?'});
  assert.equal(env.byClass('rate').length, 1, 'a rated survey is not asked again');
});

test('a refused message is marked and dropped from the queue', () => {
  const env = chatting();
  write(env, 'spam');
  const [m] = env.socket().frames('message');
  env.socket().push({type: 'error', code: 'invalid', message: 'text too long', client_id: m.client_id});
  assert.match(env.byClass('msg')[0].textContent, /Not sent: text too long/);
  assert.deepEqual(env.stored().q, []);
});

test('a rate-limited message is sent again later', () => {
  const env = chatting();
  write(env, 'fast');
  const [m] = env.socket().frames('message');
  env.socket().push({type: 'error', code: 'rate_limited', message: 'slow down', client_id: m.client_id});
  env.tick(2000);
  assert.equal(env.socket().frames('message').length, 2);
  assert.equal(env.socket().frames('message')[1].client_id, m.client_id);
});

test('a rate-limited message waits the retry_after the server asked for', () => {
  const env = chatting();
  write(env, 'fast');
  const [m] = env.socket().frames('message');
  env.socket().push({type: 'error', code: 'rate_limited', message: 'slow down', client_id: m.client_id, retry_after: 5});
  env.tick(4900);
  assert.equal(env.socket().frames('message').length, 1, 'not before retry_after');
  env.tick(100);
  assert.equal(env.socket().frames('message').length, 2);
});

test('a message the server keeps failing on is given up, not resent forever', () => {
  const env = chatting();
  write(env, 'poison');
  let sends = env.socket().frames('message').length;
  for (let i = 0; i < 10; i++) {
    env.socket().drop(1011);
    env.tick(1000);
    env.socket().accept();
    env.socket().push({type: 'welcome', token: 'T1', visitor_id: 'v_1', conversation: null});
    sends += env.socket().frames('message').length;
  }
  assert.equal(sends, 6, 'sent once, then resent after five welcomes, then given up');
  assert.deepEqual(env.stored().q, []);
  assert.match(env.byClass('msg')[0].textContent, /Not sent: the chat could not store this message/);
  env.byText('button', 'Send again').dispatch('click');
  assert.equal(env.socket().frames('message').length, 1, 'the visitor may send it again');
});

test('a policy close drops the frames sent on that socket and tells the visitor', () => {
  const env = chatting();
  write(env, 'too big');
  env.socket().drop(1009);
  assert.deepEqual(env.stored().q, []);
  assert.match(env.byClass('msg')[0].textContent, /Not sent:/);
  env.tick(1000);
  env.socket().accept();
  env.socket().push({type: 'welcome', token: 'T1', visitor_id: 'v_1', conversation: null});
  assert.equal(env.socket().frames('message').length, 0, 'not resent after reconnecting');
});

test('a limit close waits the retry_after, even when the tab comes back', () => {
  const env = chatting();
  env.socket().push({type: 'error', code: 'too_many_sockets', message: 'Too many chat windows.', retry_after: 60});
  env.socket().drop(4429);
  assert.equal(env.byClass('conn')[0].textContent, 'Too many chat windows.');
  const delay = env.timers[env.timers.length - 1].ms;
  assert.ok(delay >= 60000 && delay <= 72000, `retry after ${delay} ms, want 60-72 s`);
  env.doc.dispatch('visibilitychange');
  env.winListeners.online();
  env.tick(59000);
  assert.equal(env.sockets.length, 1, 'no reconnection before retry_after');
  env.tick(delay - 59000);
  assert.equal(env.sockets.length, 2);
});

test('close 1001 (going away) reconnects at once', () => {
  const env = chatting();
  env.socket().drop(1001);
  assert.equal(env.sockets.length, 2, 'no wait');
  env.socket().drop(1001); // not welcomed: a server still going away is not hammered
  assert.equal(env.sockets.length, 2);
  assert.ok(env.timers[env.timers.length - 1].ms >= 500);
});

test('identify reconnects with the user and wipes another user\'s history', () => {
  const env = chatting();
  env.win.Parley.identify({user_id: 42, user_hash: 'h42', name: 'Ann'});
  let ws = env.socket();
  assert.equal(env.sockets.length, 2);
  ws.accept();
  assert.deepEqual(ws.sent[0], {type: 'hello', token: 'T1', last_id: 0, name: 'Ann', user_id: '42', user_hash: 'h42', languages: LANGS});
  ws.push({type: 'welcome', token: 'T1', visitor_id: 'v_1', conversation: null});
  ws.push({type: 'message', id: 11, direction: 'outbound', author_name: 'Ana', text: 'secret', created_at: '2025-01-01T10:00:00Z'});

  env.win.Parley.identify({user_id: 'someone-else', user_hash: 'h'});
  ws = env.socket();
  ws.accept();
  assert.deepEqual(ws.sent[0], {type: 'hello', last_id: 0, user_id: 'someone-else', user_hash: 'h', languages: LANGS});
  assert.deepEqual(bubbles(env), []);
});

test('identify without user_hash sends no user_id', () => {
  const env = chatting();
  env.win.Parley.identify({user_id: 42, email: 'a@b.test'});
  env.socket().accept();
  assert.deepEqual(env.socket().sent[0], {type: 'hello', token: 'T1', last_id: 0, email: 'a@b.test', languages: LANGS});
});

test('calls queued before load run once the widget starts', () => {
  const env = load({before: win => { win.Parley = {q: [['identify', {name: 'Queued'}], ['open']]}; }});
  assert.ok(env.byClass('pre')[0].hidden, 'a known name skips the form');
  env.socket().accept();
  assert.equal(env.socket().sent[0].name, 'Queued');
});

test('reset forgets the visitor', () => {
  const env = chatting();
  env.win.Parley.reset();
  assert.equal(env.stored().t, undefined);
  assert.equal(env.socket().readyState, 3);
  assert.ok(!env.byClass('pre')[0].hidden, 'the open panel asks again');
});

// settle lets the widget's promises (its fetch of GET /chat/check) run.
const settle = () => new Promise(r => setImmediate(r));

// opening returns a widget whose visitor skipped the form: its first socket is not open yet.
function opening(opts) {
  const env = load(opts);
  env.byLabel('Open chat').dispatch('click');
  env.byClass('pre')[0].dispatch('submit', {submitter: env.byText('button', 'Skip')});
  return env;
}

test('a socket refused before opening asks /chat/check; a refused origin stops the chat for good', async () => {
  const env = opening();
  env.check = () => ({status: 403, body: {code: 'origin_not_allowed', error: 'chat inbox 7 does not allow the origin https://shop.test'}});
  write(env, 'anyone there?');
  assert.match(env.byClass('msg')[0].textContent, /Sending…$/);
  env.socket().drop(1006); // a browser's refused handshake
  assert.deepEqual(env.fetches.map(f => f.url), ['https://parley.test/chat/check?inbox=7']);
  assert.equal(env.fetches[0].opts.credentials, 'omit');
  await settle();
  assert.equal(env.byClass('conn')[0].textContent, 'Sorry, chat is not available on this site.');
  assert.equal(env.byClass('msg')[0].textContent, 'anyone there?Not sent: chat is not available on this site.');
  assert.equal(env.byText('button', 'Send again'), undefined, 'nothing to send again');
  assert.deepEqual(env.stored().q, [], 'nothing waits to be sent');
  assert.ok(env.byClass('compose')[0].hidden, 'no message box');
  assert.equal(env.doc.focused, env.byLabel('Close chat'), 'focus left the hidden box for the close button');
  assert.equal(env.warnings.length, 1);
  assert.match(env.warnings[0], /chat inbox 7 refused https:\/\/shop\.test \(origin_not_allowed\); add https:\/\/shop\.test .* at https:\/\/parley\.test\/admin\/inboxes/);
  env.tick(10 * 60 * 1000);
  env.doc.dispatch('visibilitychange');
  env.winListeners.online();
  env.win.Parley.identify({name: 'Ann'});
  assert.equal(env.sockets.length, 1, 'never retried');
  assert.equal(env.fetches.length, 1);
  env.byLabel('Close chat').dispatch('click');
  env.byLabel('Open chat').dispatch('click');
  assert.ok(env.byClass('compose')[0].hidden, 'still no message box after reopening');
});

test('an unknown inbox (404) stops too; a check that fails or answers 503 keeps retrying', async () => {
  let env = opening();
  env.check = () => ({status: 404, body: {code: 'not_found', error: 'no chat inbox 7'}});
  env.socket().drop(1006);
  await settle();
  assert.equal(env.byClass('conn')[0].textContent, 'Sorry, chat is not available on this site.');
  assert.match(env.warnings[0], /\(not_found\)/);
  env.tick(60000);
  assert.equal(env.sockets.length, 1);

  for (const check of [undefined, () => ({status: 503, body: {code: 'unavailable'}})]) {
    env = opening();
    env.check = check;
    env.socket().drop(1006);
    await settle();
    assert.equal(env.byClass('conn')[0].textContent, 'Offline. Reconnecting…');
    env.tick(1000);
    assert.equal(env.sockets.length, 2, 'retried after the backoff');
    assert.ok(!env.byClass('compose')[0].hidden);
  }
});

test('a socket that opened and closed is not checked', async () => {
  const env = chatting();
  env.check = () => ({status: 403, body: {code: 'origin_not_allowed'}});
  env.socket().drop(1006);
  await settle();
  assert.equal(env.fetches.length, 0);
  env.tick(1000);
  assert.equal(env.sockets.length, 2);
});

test('a check answered after the widget reconnected changes nothing', async () => {
  const env = opening();
  let answer;
  env.check = () => ({status: 403, body: {code: 'origin_not_allowed'}});
  env.win.fetch = () => new Promise(r => { answer = r; });
  env.socket().drop(1006);
  env.tick(1000); // the backoff ends first: a new socket
  assert.equal(env.sockets.length, 2);
  answer({status: 403, json: () => Promise.resolve({code: 'origin_not_allowed'})});
  await settle();
  assert.notEqual(env.byClass('conn')[0].textContent, 'Sorry, chat is not available on this site.');
  env.socket().accept();
  assert.equal(env.socket().sent[0].type, 'hello');
});

test('on a phone the open panel is modal; Escape gives focus back to the launcher', () => {
  const env = load({before: win => { win.visualViewport = {height: 500, offsetTop: 0, addEventListener() {}}; }});
  env.phone = true;
  const launch = env.byLabel('Open chat');
  const panel = env.q(e => e.getAttribute('role') === 'dialog')[0];
  env.doc.documentElement.style.overflow = 'auto';
  launch.dispatch('click');
  assert.equal(panel.getAttribute('aria-modal'), 'true');
  assert.equal(env.doc.documentElement.style.overflow, 'hidden', 'the page behind does not scroll');
  assert.equal(panel.style['--ph'], '500px', 'fitted above the on-screen keyboard');
  panel.dispatch('keydown', {key: 'Escape'});
  assert.ok(panel.hidden);
  assert.equal(panel.getAttribute('aria-modal'), null);
  assert.equal(env.doc.documentElement.style.overflow, 'auto', 'the page scrolls as before');
  assert.equal(env.doc.focused, launch);

  // A tap on the close button may not focus it (iOS): the launcher gets the focus all the same.
  launch.dispatch('click');
  env.doc.focused = null;
  env.byLabel('Close chat').dispatch('click');
  assert.equal(env.doc.focused, launch);

  env.phone = false; // a desktop: the panel is not modal
  launch.dispatch('click');
  assert.equal(panel.getAttribute('aria-modal'), null);
  env.phone = true; // turned into a phone's width while open
  env.media.change();
  assert.equal(panel.getAttribute('aria-modal'), 'true');
});

test('speaks the language the server gives for the browser', () => {
  const env = load({languages: ['fr-FR', 'fr', 'en'], texts: {status: 200, body: {lang: 'fr', texts: widgetTexts('fr')}}});
  assert.deepEqual(env.textFetches.map(f => f.url), ['https://parley.test/chat/texts?inbox=7&lang=fr-FR%2Cfr%2Cen']);
  assert.equal(env.textFetches[0].opts.credentials, 'omit');
  env.byLabel('Ouvrir le chat').dispatch('click');
  assert.ok(env.byText('button', 'Démarrer le chat'), 'the pre-chat form is French');
  env.byClass('pre')[0].dispatch('submit', {submitter: env.byText('button', 'Passer')});
  env.socket().accept();
  assert.deepEqual(env.socket().sent, [{type: 'hello', last_id: 0, languages: ['fr-FR', 'fr', 'en']}]);
  env.socket().push({type: 'welcome', token: 'T1', visitor_id: 'v_1', conversation: {status: 'open', agent_name: 'Zoé'}});
  assert.ok(env.q(e => e.textContent === 'En discussion avec Zoé').length, 'the agent line is French, with the name filled in');
  env.socket().push({type: 'status', status: 'resolved'});
  assert.ok(env.q(e => e.textContent === 'Conversation résolue.').length);
  assert.ok(env.byLabel('Écrivez un message…') === undefined && env.byLabel('Message'), 'the message box is labelled in French');
});

test('waits for its texts, retrying with backoff, and stops on an unknown inbox', () => {
  const env = load({texts: null});
  assert.equal(env.root, undefined, 'nothing is drawn without texts');
  assert.equal(env.textFetches.length, 1);
  env.texts = {status: 503, body: {}};
  env.tick(1000);
  assert.equal(env.textFetches.length, 2);
  assert.equal(env.doc.body.childNodes.length, 0, 'a 503 is retried, not drawn');
  env.texts = {status: 200, body: {lang: 'de', texts: widgetTexts('de')}};
  env.tick(2000);
  assert.equal(env.textFetches.length, 3);
  const host = env.doc.body.childNodes.find(n => n.tagName === 'PARLEY-CHAT');
  assert.ok(host && host.shadow.all(e => e.getAttribute('aria-label') === 'Chat öffnen').length, 'drawn in German once the texts came');

  const gone = load({texts: {status: 404, body: {code: 'not_found'}}});
  assert.equal(gone.root, undefined);
  gone.tick(60000);
  assert.equal(gone.textFetches.length, 1, 'a 404 is not retried');
  assert.match(gone.warnings[0], /data-inbox/);
});
