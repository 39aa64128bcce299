// Parley website chat widget. Hand-written, dependency-free, no build step.
//
// Embed:  <script src="https://parley.example.com/chat/widget.js" data-inbox="ID" async></script>
// Optional attributes: data-title (panel title), data-greeting (first line shown),
// data-color (accent colour, CSS; white text must read on it).
// API:    window.Parley.open(), .close(), .toggle(), .reset() (forget this visitor, e.g. on
//         sign-out), .identify({user_id, user_hash, name, email, attributes, attributes_hash}).
//         attributes is a JSON object as text, signed by the site's server (channels/chat/doc.go).
//         Calls made before the script loads may be queued: window.Parley = {q: [['identify', {...}]]}.
// The wire protocol is documented in channels/chat/doc.go.
(() => {
  'use strict';
  const w = window, d = document;
  if (w.Parley && w.Parley.v) return; // loaded twice
  const me = d.currentScript ||
    [...d.querySelectorAll('script[src]')].find(s => /\/chat\/widget\.js([?#]|$)/.test(s.src));
  const inbox = me && me.dataset.inbox;
  if (!inbox) return console.warn('parley: no data-inbox on the widget script');
  const base = new URL(me.src, location.href).origin;
  const iq = '?inbox=' + encodeURIComponent(inbox);
  const wsURL = base.replace(/^http/, 'ws') + '/chat/ws' + iq;
  const checkURL = base + '/chat/check' + iq;
  const KEY = 'parley:' + base + ':' + inbox;
  // The visitor's words come from the server (GET /chat/texts), in the first of the browser's
  // languages the inbox speaks, or the inbox's own: t(key, {name: value}) fills placeholders.
  const langs = [...navigator.languages || [navigator.language]].slice(0, 10);
  const textsURL = base + '/chat/texts' + iq + '&lang=' + encodeURIComponent(langs);
  let T = {}, title;
  const t = (k, v) => (T[k] || k).replace(/\{(\w+)\}/g, (m, n) => (v && n in v ? v[n] : m));
  const color = me.dataset.color;
  const MAX_KEPT = 100;

  // Stored state: t token, v visitor id, u user id the token was used with, l last message
  // id, m messages, q unacknowledged messages, p unsent ratings, r rated survey ids, y open
  // survey, c conversation, n name, e email, s pre-chat form done.
  let st;
  const fresh = () => ({m: [], q: [], p: [], r: []});
  try { st = Object.assign(fresh(), JSON.parse(localStorage.getItem(KEY))); } catch (e) { st = fresh(); }
  const save = () => { try { localStorage.setItem(KEY, JSON.stringify(st)); } catch (e) { /* storage off */ } };
  let who = {}; // identify(): user_id, user_hash, name, email, attributes, attributes_hash

  const CSS = `:host{all:initial}
*{box-sizing:border-box;margin:0;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1f}
[hidden]{display:none!important}
button{cursor:pointer;border:0;border-radius:8px;padding:8px 14px;font-weight:600;background:var(--p);color:#fff}
:focus-visible{outline:3px solid var(--p);outline-offset:2px}
.launch{position:fixed;right:20px;bottom:20px;z-index:2147483647;width:56px;height:56px;padding:0;border-radius:50%;display:grid;place-items:center;box-shadow:0 4px 14px #0004}
svg{width:28px;height:28px;fill:#fff}
.badge{position:absolute;top:-4px;right:-4px;min-width:20px;padding:0 6px;border-radius:10px;background:#b3261e;color:#fff;font-size:12px;font-weight:700;line-height:20px}
.badge:empty{display:none}
.panel{position:fixed;right:20px;bottom:88px;z-index:2147483647;width:370px;height:min(560px,calc(100vh - 110px));display:flex;flex-direction:column;background:#fff;border-radius:12px;box-shadow:0 8px 30px #0005;overflow:hidden}
header{display:flex;align-items:center;padding:12px 8px 12px 16px;background:var(--p)}
header *{color:#fff}
h2{font-size:16px;font-weight:600}
.sub{font-size:12px}
.x{margin-left:auto;font-size:22px;line-height:1;padding:4px 10px;background:none}
header :focus-visible{outline-color:#fff;outline-offset:-3px}
.conn{padding:6px 16px;background:#fff4ce;font-size:12px}
.conn:empty{display:none}
.log{flex:1;overflow-y:auto;overscroll-behavior:contain;padding:12px 16px;display:flex;flex-direction:column;gap:8px;background:#f6f7f9}
.msg{max-width:80%;padding:8px 12px;border-radius:12px;white-space:pre-wrap;overflow-wrap:anywhere;background:#fff;border:1px solid #dfe1e6;align-self:flex-start}
.me{align-self:flex-end;background:var(--p);border-color:var(--p)}
.msg img{display:block;max-width:100%;max-height:200px;border-radius:8px}
.msg a{display:block;color:inherit}
.meta{display:block;font-size:11px;color:#555b66;margin-top:2px}
.me *,.me{color:#fff}
.me .retry{display:block;margin-top:6px;padding:4px 10px;background:#fff;color:var(--p)}
.note,.typing{font-size:12px;color:#555b66;text-align:center}
.typing{min-height:18px;padding:0 16px 2px;text-align:left;background:#f6f7f9}
form{display:flex;gap:8px;padding:10px;border-top:1px solid #dfe1e6}
textarea,input{flex:1;width:100%;padding:8px 10px;border:1px solid #767b85;border-radius:8px;background:#fff;resize:none}
.compose textarea{height:40px;max-height:120px}
.pre{flex:1;flex-direction:column;padding:16px;border:0;overflow-y:auto}
label{display:grid;gap:4px;font-weight:600}
.alt{background:none;color:var(--p);border:1px solid var(--p)}
.rate{flex-direction:column;border:1px solid #dfe1e6;border-radius:12px;background:#fff;padding:12px}
.stars{display:flex;gap:6px}
.stars button{flex:1;padding:8px 0}
.stars [aria-pressed=false]{background:#fff;color:var(--p);border:1px solid var(--p)}
@media (max-width:480px){
.panel{inset:var(--pt,0) 0 auto 0;width:auto;height:var(--ph,100%);border-radius:0;box-shadow:none}
.panel:not([hidden])~.launch{display:none}
.x{min-width:44px;min-height:44px}
textarea,input{font-size:16px}
.compose{padding-bottom:max(10px,env(safe-area-inset-bottom))}
.compose button{min-width:64px;min-height:44px}}`;
  // PHONE matches the media query above: there the open panel fills the screen and is modal.
  const PHONE = '(max-width:480px)';

  // h builds an element. Strings among the children become text nodes, never markup.
  const h = (tag, attrs, ...kids) => {
    const e = d.createElement(tag);
    for (const k in attrs) {
      const v = attrs[k];
      if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else if (v != null && v !== false) e.setAttribute(k, v);
    }
    e.append(...kids.filter(k => k != null));
    return e;
  };
  const rid = () => Array.from(crypto.getRandomValues(new Uint8Array(12)),
    b => b.toString(16).padStart(2, '0')).join('');
  const hhmm = s => {
    const t = new Date(s);
    return isNaN(t) ? '' : t.toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'});
  };

  let ui; // the elements, once the page has a body
  const shown = new Map(); // 'i'+id, 'c'+client_id, 's'+survey_id -> element
  let unread = 0;

  const clearLog = () => { shown.clear(); ui.log.replaceChildren(ui.greet); };
  const scroll = () => { ui.log.scrollTop = ui.log.scrollHeight; };
  const setConn = text => { ui.conn.textContent = text; };
  const setBadge = () => {
    ui.badge.textContent = unread || '';
    ui.launch.setAttribute('aria-label', unread ? t('open_unread', {count: unread}) : t('open'));
  };
  const note = text => { ui.log.append(h('p', {class: 'note'}, text)); scroll(); };

  // A message's files: pictures shown, the rest as links (the server says which type).
  const file = f => h('a', {href: base + f.url, target: '_blank', rel: 'noopener'},
    /^image\//.test(f.type) ? h('img', {src: base + f.url, alt: f.name}) : f.name);
  const bubble = (m, pending) => {
    const mine = m.direction !== 'outbound';
    const meta = pending || (mine ? t('you') : m.author_name || title) + ' · ' + hhmm(m.created_at);
    return h('div', {class: mine ? 'msg me' : 'msg'}, m.text, ...(m.files || []).map(file), h('span', {class: 'meta'}, meta));
  };
  const put = (el, key) => {
    const old = shown.get(key);
    if (old) old.replaceWith(el); else ui.log.append(el);
    shown.set(key, el);
    scroll();
  };
  const showPending = (m, why) => put(bubble({text: m.text || m.fn}, why || t('sending')), 'c' + m.client_id);

  // add shows a message of the conversation once. A live one, from the server, is
  // remembered and acknowledges the queued message with its client_id.
  const add = (m, live) => {
    const dup = shown.has('i' + m.id), pend = 'c' + m.client_id;
    if (!dup) {
      const el = bubble(m);
      put(el, shown.has(pend) ? pend : 'i' + m.id);
      shown.delete(pend);
      shown.set('i' + m.id, el);
    }
    if (!live) return;
    st.q = st.q.filter(q => q.client_id !== m.client_id);
    if (!dup) {
      st.m.push(m);
      st.m.splice(0, st.m.length - MAX_KEPT);
      st.l = Math.max(st.l || 0, m.id);
      if (m.direction === 'outbound') {
        ui.typing.textContent = '';
        if (ui.panel.hidden) { unread++; setBadge(); }
      }
    }
    save();
  };

  const setConv = c => {
    st.c = c || null;
    const agent = c && c.agent_name;
    // A status is shown when the texts have words for it (pending, resolved, closed).
    const label = c && T['status_' + c.status];
    ui.sub.textContent = (agent ? t('chatting_with', {agent}) : t('ask')) + (label ? ' · ' + label : '');
  };

  const showSurvey = f => {
    if (!f || st.r.includes(f.survey_id) || shown.has('s' + f.survey_id)) return;
    let score = 0;
    const stars = [1, 2, 3, 4, 5].map(n => h('button', {
      type: 'button', 'aria-pressed': 'false', 'aria-label': t('out_of', {score: n}),
      onclick() { score = n; stars.forEach((b, i) => b.setAttribute('aria-pressed', i + 1 === n)); },
    }, String(n)));
    const comment = h('textarea', {'aria-label': t('comment'), placeholder: t('comment'), maxlength: 2000});
    const card = h('form', {class: 'rate', onsubmit(e) {
      e.preventDefault();
      if (!score) return stars[0].focus();
      const r = {type: 'rating', survey_id: f.survey_id, score, comment: comment.value.trim()};
      if (!send(r)) st.p.push(r);
      st.r.push(f.survey_id);
      st.y = null;
      save();
      card.replaceChildren(h('p', {}, t('thanks')));
    }}, h('p', {}, f.prompt || t('rate')),
    h('div', {class: 'stars', role: 'group', 'aria-label': t('your_rating')}, ...stars),
    comment, h('button', {}, t('send_rating')));
    put(card, 's' + f.survey_id);
  };

  // The connection. Frames other than hello go out only after welcome (alive). sent holds the
  // client_ids sent on the current socket; retryAfter the wait (s) the server last asked for.
  // refused is set when the server refused this page for good (its origin, or no such inbox).
  let ws = null, alive = false, tries = 0, timer = 0, stopped = false, sent = new Set(), retryAfter = 0;
  // probing is the failed socket whose probe may be pending; a new connection or a disconnect
  // ends it.
  let refused = false, probing = null;
  let limitNote = '', notBefore = 0; // a limit's message, and no reconnection before this time
  const MAX_RESENDS = 5; // a message resent this often without an answer is given up
  const send = f => {
    if (!alive || ws.readyState !== 1) return false;
    ws.send(JSON.stringify(f));
    return true;
  };
  const sendMsg = m => {
    if (send({type: 'message', client_id: m.client_id, text: m.text, files: m.f})) sent.add(m.client_id);
  };
  // fail drops a refused message from the queue, never to be sent again by itself, and shows
  // the visitor why, with a button to send it again.
  const fail = (m, why) => {
    st.q = st.q.filter(q => q.client_id !== m.client_id);
    save();
    const el = bubble({text: m.text || m.fn}, t('not_sent', {reason: why}));
    if (!refused) el.append(h('button', {type: 'button', class: 'alt retry', onclick() {
      const again = {client_id: m.client_id, text: m.text, f: m.f, fn: m.fn};
      st.q.push(again);
      save();
      showPending(again);
      sendMsg(again);
    }}, t('send_again')));
    put(el, 'c' + m.client_id);
  };
  const flush = () => {
    for (const m of st.q.slice()) {
      m.n = (m.n || 0) + 1; // resent after each welcome: a socket that keeps failing on it gives up
      if (m.n > MAX_RESENDS) fail(m, t('why_store'));
      else sendMsg(m);
    }
    st.p = st.p.filter(r => !send(r));
    save();
  };
  const LIMITS = {too_many_sockets: 1, too_many_visitors: 1};

  const on = {
    welcome(f) {
      if (st.v && st.v !== f.visitor_id) { // a new visitor: the old history is not theirs
        st.m = []; st.l = 0; clearLog(); st.q.forEach(m => showPending(m));
      }
      Object.assign(st, {t: f.token, v: f.visitor_id, u: who.user_id});
      setConv(f.conversation);
      alive = true; tries = 0; retryAfter = 0;
      setConn('');
      flush();
      showSurvey(st.y);
    },
    message(f) { add(f, true); },
    typing(f) {
      clearTimeout(ui.typingTimer);
      ui.typing.textContent = f.on ? t('typing', {name: f.agent_name || title}) : '';
      if (f.on) ui.typingTimer = setTimeout(() => { ui.typing.textContent = ''; }, 6000);
    },
    status(f) {
      setConv(Object.assign({}, st.c, {status: f.status}));
      save();
      if (T['note_' + f.status]) note(T['note_' + f.status]);
    },
    survey(f) { st.y = f; save(); showSurvey(f); },
    error(f) {
      if (f.retry_after > 0) retryAfter = f.retry_after;
      const q = f.client_id && st.q.find(m => m.client_id === f.client_id);
      if (q && f.code === 'rate_limited' && (q.r = (q.r || 0) + 1) <= MAX_RESENDS) {
        showPending(q, t('sending_slowly'));
        const s = ws;
        setTimeout(() => { if (alive && ws === s && st.q.includes(q)) sendMsg(q); }, Math.max(1, f.retry_after || 2) * 1000);
      } else if (q) {
        fail(q, f.message);
      } else if (f.code === 'attributes') {
        console.warn('parley: ' + f.message); // the site's signing, not the visitor's doing
      } else if (LIMITS[f.code]) {
        limitNote = f.message; // the close that follows waits retry_after
      } else {
        note(f.message);
      }
    },
  };

  // probe asks the server whether this page may chat, after a socket failed before opening:
  // a browser tells a script nothing of a refused handshake. It resolves to the code of a
  // refusal for good (403 origin_not_allowed, 404, 400), or '' to retry as for any failure.
  const probe = () => fetch(checkURL, {credentials: 'omit', cache: 'no-store'}).then(r => {
    if (r.status !== 403 && r.status !== 404 && r.status !== 400) return '';
    return r.json().then(b => (b && b.code) || String(r.status), () => String(r.status));
  }, () => '');

  // refuse stops the chat on this page for good: the visitor reads why in plain words, the
  // site's owner what to change in the console, and nothing waits on "Sending…".
  const refuse = code => {
    stopped = refused = true;
    const at = location.origin;
    console.warn(`parley: chat inbox ${inbox} refused ${at} (${code}); add ${at} to its allowed origins, or check data-inbox, at ${base}/admin/inboxes`);
    setConn(t('not_available'));
    st.q.slice().forEach(m => fail(m, t('why_site')));
    const inCompose = ui.compose.contains(ui.root.activeElement);
    ui.compose.hidden = true;
    if (inCompose) ui.x.focus();
  };

  const connect = () => {
    if (ws || stopped) return;
    clearTimeout(timer);
    timer = 0;
    probing = null;
    setConn(t('connecting'));
    sent = new Set();
    let s;
    try { s = ws = new WebSocket(wsURL); } catch (e) { // e.g. ws: from an https page
      stopped = true;
      return setConn(t('unavailable_page'));
    }
    let opened = false;
    s.onopen = () => {
      opened = true;
      s.send(JSON.stringify({
        type: 'hello', token: st.t, last_id: st.l || 0, name: who.name || st.n, email: who.email || st.e,
        user_id: who.user_id, user_hash: who.user_hash, attributes: who.attributes, attributes_hash: who.attributes_hash,
        languages: langs,
      }));
    };
    s.onmessage = e => {
      let f;
      try { f = JSON.parse(e.data); } catch (x) { return; }
      if (f && Object.hasOwn(on, f.type)) on[f.type](f);
    };
    s.onclose = e => {
      if (ws !== s) return;
      const was = alive, mine = sent;
      ws = null;
      alive = false;
      if (e.code === 1008 || e.code === 1009) {
        // A policy refusal: what this socket sent and no one answered is not sent again.
        st.q.filter(m => mine.has(m.client_id)).forEach(m => fail(m, e.reason || t('why_refused')));
        if (e.code === 1008 || !was) { // refused for good: retrying would not help
          stopped = true;
          return setConn(t('unavailable'));
        }
      }
      if (e.code === 1001 && was) { // the server is going away: another one takes us at once
        setConn(t('reconnecting'));
        return connect();
      }
      const max = Math.min(30000, 1000 * 2 ** tries++);
      let wait = max / 2 + Math.random() * max / 2;
      if (e.code === 4429) { // a limit of this network: wait as long as the server asked
        wait = Math.max(wait, (retryAfter || 30) * 1000 * (1 + Math.random() / 5));
        notBefore = Date.now() + wait;
        setConn(limitNote || t('busy'));
        retryAfter = 0; limitNote = '';
      } else {
        setConn(t('offline'));
      }
      timer = setTimeout(connect, wait);
      if (opened) return;
      // The handshake failed: ask why while the backoff runs, and stop if it is for good.
      probing = s;
      probe().then(code => {
        if (probing !== s || !code) return;
        clearTimeout(timer);
        timer = 0;
        refuse(code);
      });
    };
  };
  const disconnect = () => {
    clearTimeout(timer);
    timer = 0;
    probing = null;
    const s = ws;
    ws = null;
    alive = false;
    if (s) s.close();
  };
  const reconnect = () => {
    const was = ws || timer;
    disconnect();
    tries = 0;
    stopped = refused; // a page refused for good stays so
    if (was) connect();
  };

  // Visitor typing: "on" at most every 3 s while typing, "off" after 4 s without a key.
  let typingSent = 0, typingIdle = 0;
  const typing = active => {
    clearTimeout(typingIdle);
    if (active) {
      if (Date.now() - typingSent > 3000 && send({type: 'typing', on: true})) typingSent = Date.now();
      typingIdle = setTimeout(typing, 4000, false);
    } else if (typingSent) {
      typingSent = 0;
      send({type: 'typing', on: false});
    }
  };

  const queue = m => {
    st.q.push(m);
    save();
    showPending(m);
    sendMsg(m);
  };
  const submit = () => {
    const text = ui.ta.value.trim();
    if (!text || refused) return;
    queue({client_id: rid(), text});
    ui.ta.value = '';
    ui.ta.style.height = '';
    typing(false);
  };
  // attach uploads a file the visitor chose, dropped or pasted, then sends it as a message of
  // its own; a refusal is shown in the visitor's words.
  const FILE_ERR = {too_large: 'file_too_large', file_type: 'file_type', too_many: 'file_too_many'};
  const attach = async f => {
    if (!f || !st.t || refused) return;
    const body = new FormData();
    body.append('token', st.t);
    body.append('file', f);
    let r = {};
    try {
      const res = await fetch(base + '/chat/upload' + iq, {method: 'POST', body});
      r = await res.json();
      if (res.ok) return queue({client_id: rid(), text: '', f: [r.id], fn: r.filename});
    } catch (e) { /* offline: said below */ }
    note(t(FILE_ERR[r.code] || 'file_failed'));
  };

  // On a phone the open panel is a modal dialog over the whole screen: aria-modal, Tab kept
  // inside it, the page behind not scrolling, and the panel fitted to the visual viewport so
  // that the on-screen keyboard does not cover the message box. modal says whether it is now.
  let modal = false, pageOverflow = '';
  const phone = w.matchMedia(PHONE);
  const vv = w.visualViewport;
  const fit = e => {
    if (!modal || !vv) return;
    ui.panel.style.setProperty('--ph', vv.height + 'px');
    ui.panel.style.setProperty('--pt', vv.offsetTop + 'px');
    if (!e || e.type === 'resize') scroll(); // the keyboard came: keep the last message in sight
  };
  const setModal = () => {
    const on = !ui.panel.hidden && phone.matches;
    if (on === modal) return;
    modal = on;
    const root = d.documentElement.style;
    if (on) {
      ui.panel.setAttribute('aria-modal', 'true');
      pageOverflow = root.overflow;
      root.overflow = 'hidden';
      fit();
    } else {
      ui.panel.removeAttribute('aria-modal');
      root.overflow = pageOverflow;
    }
  };
  // tabbable lists the panel's elements that Tab reaches, in order.
  const tabbable = () => [...ui.panel.querySelectorAll('button,textarea,input,[tabindex]')]
    .filter(e => !e.disabled && e.tabIndex >= 0 && e.getClientRects().length);
  // focusIn focuses where the visitor starts in the panel: the form, the message box, or
  // the close button when the chat is refused.
  const focusIn = () => {
    if (!ui.pre.hidden) ui.name.focus();
    else if (!ui.compose.hidden) ui.ta.focus();
    else ui.x.focus();
  };
  // trap keeps Tab and Shift+Tab inside the modal panel, wrapping around.
  const trap = e => {
    if (!modal || e.key !== 'Tab') return;
    const all = tabbable(), at = all.indexOf(ui.root.activeElement);
    if (!all.length) return;
    if (at < 0 || (e.shiftKey ? at === 0 : at === all.length - 1)) {
      e.preventDefault();
      all[e.shiftKey ? all.length - 1 : 0].focus();
    }
  };

  const needForm = () => !st.s && !st.t && !who.name && !who.email;
  const open = () => {
    if (!ui.panel.hidden) return;
    ui.panel.hidden = false;
    ui.launch.setAttribute('aria-expanded', 'true');
    unread = 0;
    setBadge();
    ui.pre.hidden = !needForm();
    ui.chat.forEach(e => { e.hidden = !ui.pre.hidden || (e === ui.compose && refused); });
    setModal();
    if (ui.pre.hidden) connect();
    focusIn();
    scroll();
  };
  const close = () => {
    if (ui.panel.hidden) return;
    const focused = modal || ui.panel.contains(ui.root.activeElement); // a modal held the focus
    ui.panel.hidden = true;
    ui.launch.setAttribute('aria-expanded', 'false');
    setModal();
    if (focused) ui.launch.focus();
  };
  const startChat = e => {
    e.preventDefault();
    if (e.submitter !== ui.skip) Object.assign(st, {n: ui.name.value.trim(), e: ui.email.value.trim()});
    st.s = 1;
    save();
    ui.pre.hidden = true;
    ui.chat.forEach(el => { el.hidden = el === ui.compose && refused; });
    connect();
    focusIn();
  };

  const build = () => {
    const host = d.createElement('parley-chat');
    host.style.setProperty('all', 'initial', 'important');
    const root = host.attachShadow({mode: 'closed'});
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      root.append(h('style', {}, CSS));
    }
    const svg = d.createElementNS('http://www.w3.org/2000/svg', 'svg');
    const path = d.createElementNS('http://www.w3.org/2000/svg', 'path');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    path.setAttribute('d', 'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z');
    svg.append(path);

    const u = {root, host};
    u.badge = h('span', {class: 'badge'});
    u.launch = h('button', {class: 'launch', 'aria-label': t('open'), 'aria-expanded': 'false',
      'aria-controls': 'panel', onclick: () => (u.panel.hidden ? open() : close())}, svg, u.badge);
    u.sub = h('p', {class: 'sub'});
    u.conn = h('p', {class: 'conn', role: 'status'});
    u.name = h('input', {name: 'name', autocomplete: 'name', maxlength: 120});
    u.email = h('input', {name: 'email', type: 'email', autocomplete: 'email', maxlength: 254,
      pattern: '[^@\\s]+@[^@\\s]+\\.[^@\\s.]+'});
    u.skip = h('button', {class: 'alt', formnovalidate: ''}, t('skip'));
    u.pre = h('form', {class: 'pre', onsubmit: startChat},
      h('p', {}, t('intro')),
      h('label', {}, t('name'), u.name), h('label', {}, t('email'), u.email),
      h('div', {}, h('button', {}, t('start')), ' ', u.skip));
    u.greet = h('p', {class: 'note'}, me.dataset.greeting || t('greeting'));
    u.log = h('div', {class: 'log', role: 'log', 'aria-label': t('messages'), tabindex: '0'}, u.greet);
    u.typing = h('p', {class: 'typing', 'aria-live': 'polite'});
    u.ta = h('textarea', {'aria-label': t('message'), placeholder: t('placeholder'), maxlength: 5000, rows: 1, enterkeyhint: 'send',
      oninput() { typing(!!u.ta.value); u.ta.style.height = ''; u.ta.style.height = u.ta.scrollHeight + 2 + 'px'; },
      onkeydown(e) { if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); } },
      onpaste(e) { const f = e.clipboardData.files[0]; if (f) { e.preventDefault(); attach(f); } }});
    u.file = h('input', {type: 'file', hidden: '', accept: 'image/*,application/pdf,text/plain',
      onchange() { attach(u.file.files[0]); u.file.value = ''; }});
    u.compose = h('form', {class: 'compose', onsubmit(e) { e.preventDefault(); submit(); },
      ondragover(e) { e.preventDefault(); }, ondrop(e) { e.preventDefault(); attach(e.dataTransfer.files[0]); }},
    u.file, h('button', {type: 'button', class: 'alt', 'aria-label': t('attach'), onclick: () => u.file.click()}, '+'),
    u.ta, h('button', {}, t('send')));
    u.chat = [u.log, u.typing, u.compose];
    u.x = h('button', {class: 'x', 'aria-label': t('close'), onclick: close}, '×');
    u.panel = h('section', {id: 'panel', class: 'panel', role: 'dialog', 'aria-labelledby': 'ptitle', hidden: '',
      onkeydown(e) { if (e.key === 'Escape') { e.stopPropagation(); close(); } else trap(e); }},
    h('header', {}, h('div', {}, h('h2', {id: 'ptitle'}, title), u.sub), u.x),
    u.conn, u.pre, ...u.chat);
    if (color) host.style.setProperty('--p', color);
    else host.style.setProperty('--p', '#1f5bd8');
    root.append(u.panel, u.launch);
    d.body.append(host);
    return u;
  };

  const wipe = () => {
    st = fresh();
    save();
    clearLog();
    ui.typing.textContent = '';
    unread = 0;
    setBadge();
    setConv(null);
  };

  const impl = {
    open,
    close,
    toggle: () => (ui.panel.hidden ? open() : close()),
    identify(o) {
      o = o || {};
      const id = o.user_id != null && o.user_hash ? String(o.user_id) : undefined;
      if (id && st.u && st.u !== id) wipe(); // someone else signed in on this browser
      who = {user_id: id, user_hash: id && String(o.user_hash),
        name: o.name ? String(o.name) : undefined, email: o.email ? String(o.email) : undefined,
        attributes: o.attributes ? String(o.attributes) : undefined,
        attributes_hash: o.attributes_hash ? String(o.attributes_hash) : undefined};
      reconnect();
    },
    reset() {
      who = {};
      disconnect();
      wipe();
      if (!ui.panel.hidden) { ui.panel.hidden = true; open(); }
    },
  };
  // Calls made before the page has a body wait in queued, after any the page queued itself.
  let queued = w.Parley && Array.isArray(w.Parley.q) ? w.Parley.q : [];
  const api = {v: 1};
  for (const fn in impl) api[fn] = (...args) => { if (ui) impl[fn](...args); else queued.push([fn, ...args]); };
  w.Parley = api;

  const start = () => {
    ui = build();
    st.m.forEach(m => add(m, false));
    st.q.forEach(m => showPending(m));
    setConv(st.c);
    queued.forEach(([fn, ...args]) => { if (Object.hasOwn(impl, fn)) impl[fn](...args); });
    queued = [];
    if (st.t || st.q.length) connect(); // a returning visitor hears replies while the panel is closed
    // Back online or back to the tab: retry now rather than at the end of the backoff.
    // Not before a limit's wait is over, though.
    const early = () => timer && Date.now() >= notBefore && reconnect();
    phone.addEventListener('change', setModal);
    if (vv) { vv.addEventListener('resize', fit); vv.addEventListener('scroll', fit); }
    // Focus that leaves the modal panel anyway (a page's script, a click behind) comes back.
    d.addEventListener('focusin', e => { if (modal && e.target !== ui.host) focusIn(); });
    w.addEventListener('online', early);
    d.addEventListener('visibilitychange', () => { if (!d.hidden) early(); });
  };
  // The texts come first; a failed fetch is retried with backoff, and a refusal for good (an
  // unknown inbox) stops the widget with a word for the site's owner.
  let textTries = 0;
  const loadTexts = () => fetch(textsURL, {credentials: 'omit'}).then(r => {
    if (r.status === 400 || r.status === 404) return console.warn('parley: no chat inbox ' + inbox + '; check data-inbox');
    if (!r.ok) throw r.status;
    return r.json().then(b => {
      T = b.texts || {};
      title = me.dataset.title || t('title');
      if (d.body) start(); else d.addEventListener('DOMContentLoaded', start);
    });
  }).catch(() => setTimeout(loadTexts, Math.min(30000, 1000 * 2 ** textTries++)));
  loadTexts();
})();
