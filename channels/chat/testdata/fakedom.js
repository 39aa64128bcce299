// A minimal DOM, WebSocket, storage and clock: just enough to run widget.js in node and
// drive it as a browser and a server would. Hand-written for these tests.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

class Text {
  constructor(data) { this.data = String(data); this.parentNode = null; }
  get textContent() { return this.data; }
  remove() { detach(this); }
}

function detach(n) {
  const p = n.parentNode;
  if (p) { p.childNodes.splice(p.childNodes.indexOf(n), 1); n.parentNode = null; }
}

class Element {
  constructor(doc, tag) {
    this.ownerDocument = doc;
    this.tagName = tag.toUpperCase();
    this.childNodes = [];
    this.parentNode = null;
    this.attrs = new Map();
    this.listeners = {};
    this.style = {setProperty(k, v, prio) { this[k] = prio ? v + ' !' + prio : v; }};
    this.value = '';
    this.scrollTop = 0;
    this.scrollHeight = 100;
  }
  setAttribute(k, v) { this.attrs.set(k, String(v)); }
  removeAttribute(k) { this.attrs.delete(k); }
  getAttribute(k) { return this.attrs.has(k) ? this.attrs.get(k) : null; }
  get hidden() { return this.attrs.has('hidden'); }
  set hidden(v) { if (v) this.attrs.set('hidden', ''); else this.attrs.delete('hidden'); }
  get className() { return this.getAttribute('class') || ''; }
  get firstChild() { return this.childNodes[0] || null; }
  set innerHTML(v) { throw new Error('innerHTML used'); }
  addEventListener(type, fn) { (this.listeners[type] = this.listeners[type] || []).push(fn); }
  append(...kids) {
    for (const k of kids) {
      const n = typeof k === 'string' || typeof k === 'number' ? new Text(k) : k;
      detach(n);
      n.parentNode = this;
      this.childNodes.push(n);
    }
  }
  remove() { detach(this); }
  replaceWith(n) {
    const p = this.parentNode;
    detach(n);
    p.childNodes[p.childNodes.indexOf(this)] = n;
    n.parentNode = p;
    this.parentNode = null;
  }
  replaceChildren(...kids) {
    for (const c of this.childNodes) c.parentNode = null;
    this.childNodes = [];
    this.append(...kids);
  }
  contains(n) {
    for (; n; n = n.parentNode) if (n === this) return true;
    return false;
  }
  get textContent() { return this.childNodes.map(c => c.textContent).join(''); }
  set textContent(v) { this.replaceChildren(...(v === '' || v == null ? [] : [String(v)])); }
  focus() { this.ownerDocument.focused = this; }
  attachShadow(opts) {
    this.shadowMode = opts.mode;
    this.shadow = new Element(this.ownerDocument, '#shadow-root');
    Object.defineProperty(this.shadow, 'activeElement', {
      get: () => (this.shadow.contains(this.ownerDocument.focused) ? this.ownerDocument.focused : null),
    });
    return this.shadow;
  }
  // dispatch fires an event at this element and bubbles it up to the document.
  dispatch(type, props) {
    const e = Object.assign({
      type, target: this, defaultPrevented: false, stopped: false,
      preventDefault() { this.defaultPrevented = true; },
      stopPropagation() { this.stopped = true; },
    }, props);
    for (let n = this; n && !e.stopped; n = n.parentNode) {
      for (const fn of n.listeners[type] || []) fn.call(n, e);
    }
    return e;
  }
  // all returns the elements under this one (itself included) that match pred.
  all(pred) {
    const out = [];
    const walk = n => {
      if (!(n instanceof Element)) return;
      if (pred(n)) out.push(n);
      n.childNodes.forEach(walk);
    };
    walk(this);
    return out;
  }
}

class Document extends Element {
  constructor() {
    super(null, '#document');
    this.ownerDocument = this;
    this.documentElement = new Element(this, 'html');
    this.body = new Element(this, 'body');
    this.body.parentNode = this;
    this.scripts = [];
    this.currentScript = null;
  }
  createElement(tag) { return new Element(this, tag); }
  createElementNS(ns, tag) { return new Element(this, tag); }
  querySelectorAll(sel) {
    if (sel !== 'script[src]') throw new Error('unsupported selector ' + sel);
    return this.scripts;
  }
}

// A fake WebSocket that records what the widget sends and lets the test act as server.
class Socket {
  constructor(env, url) {
    this.url = url;
    this.readyState = 0;
    this.sent = [];
    this.env = env;
    env.sockets.push(this);
  }
  send(data) {
    if (this.readyState !== 1) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(data));
  }
  close() { this.readyState = 3; }
  // Server side.
  accept() { this.readyState = 1; this.onopen({}); }
  push(frame) { this.onmessage({data: JSON.stringify(frame)}); }
  drop(code) { this.readyState = 3; this.onclose({code}); }
  frames(type) { return this.sent.filter(f => f.type === type); }
}

// load runs widget.js in a fresh window. storage carries localStorage across "reloads".
// widgetTexts are the widget's texts as GET /chat/texts gives them in lang: the catalogue's
// widget.* keys without the prefix.
function widgetTexts(lang) {
  const file = path.join(__dirname, '..', '..', '..', 'internal', 'custtext', 'lang', lang + '.json');
  const all = JSON.parse(fs.readFileSync(file, 'utf8'));
  const out = {};
  for (const k in all) if (k.startsWith('widget.')) out[k.slice(7)] = all[k];
  return out;
}

// now and failed are thenables that settle at once, as a texts answer from the browser's cache
// does: the widget is drawn before load returns. Promise-like enough for then and catch.
const run = (fn, v) => { try { return now(fn(v)); } catch (e) { return failed(e); } };
const now = v => (v && typeof v.then === 'function' ? v : {then: ok => (ok ? run(ok, v) : now(v)), catch() { return this; }});
const failed = e => ({then: (ok, no) => (no ? run(no, e) : failed(e)), catch: no => run(no, e)});

// load runs widget.js in a fresh window. storage carries localStorage across "reloads".
// languages is navigator.languages; texts answers GET /chat/texts ({status, body}, or a
// function of the URL; null: the network fails), by default 200 with the English texts.
function load({storage = new Map(), inbox = '7', before, currentScript = true, languages = ['en-US', 'en'],
  texts = {status: 200, body: {lang: 'en', texts: widgetTexts('en')}}} = {}) {
  const doc = new Document();
  const script = doc.createElement('script');
  script.src = 'https://parley.test/chat/widget.js';
  script.dataset = {inbox};
  doc.scripts.push(script);
  if (currentScript) doc.currentScript = script;

  const env = {doc, storage, sockets: [], timers: [], now: 1e12, warnings: [], fetches: [], textFetches: [], texts};
  let nextTimer = 1;
  const win = {
    document: doc,
    location: {href: 'https://shop.test/page', origin: 'https://shop.test'},
    localStorage: {
      getItem: k => (storage.has(k) ? storage.get(k) : null),
      setItem: (k, v) => storage.set(k, String(v)),
    },
    WebSocket: function WebSocket(url) { return new Socket(env, url); },
    setTimeout(fn, ms, ...args) {
      const id = nextTimer++;
      env.timers.push({id, at: env.now + (ms || 0), ms: ms || 0, fn, args});
      return id;
    },
    clearTimeout(id) { env.timers = env.timers.filter(t => t.id !== id); },
    addEventListener(type, fn) { (env.winListeners = env.winListeners || {})[type] = fn; },
    // A desktop window unless env.phone; env.media.change() fires a change of it.
    matchMedia: () => (env.media = {
      get matches() { return !!env.phone; },
      addEventListener(type, fn) { this.change = fn; },
    }),
    navigator: {languages, language: languages[0]},
    // GET /chat/texts: env.texts answers at once (see load). GET /chat/check: env.check(url)
    // answers with {status, body}; unset, the network fails.
    fetch(url, opts) {
      if (url.includes('/chat/texts?')) {
        env.textFetches.push({url, opts});
        const a = typeof env.texts === 'function' ? env.texts(url) : env.texts;
        if (!a) return failed(new TypeError('Failed to fetch'));
        return now({status: a.status, ok: a.status >= 200 && a.status < 300, json: () => now(a.body)});
      }
      env.fetches.push({url, opts});
      if (!env.check) return Promise.reject(new TypeError('Failed to fetch'));
      const {status, body} = env.check(url);
      return Promise.resolve({status, json: () => Promise.resolve(body)});
    },
    URL,
    crypto: globalThis.crypto,
    console: {warn: (...a) => env.warnings.push(a.join(' ')), log: console.log},
  };
  win.window = win;
  if (before) before(win);
  const ctx = vm.createContext(win);
  vm.runInContext('Date.now = () => window.__now()', ctx);
  win.__now = () => env.now;
  // PARLEY_WIDGET: the widget as served (TestWidgetBehaviour); by default the source.
  const src = fs.readFileSync(process.env.PARLEY_WIDGET || path.join(__dirname, '..', 'widget.js'), 'utf8');
  vm.runInContext(src, ctx, {filename: 'widget.js'});

  env.win = win;
  env.host = doc.body.childNodes.find(n => n.tagName === 'PARLEY-CHAT');
  env.root = env.host && env.host.shadow;
  // tick moves the clock by ms, running the timers that fall due in order.
  env.tick = ms => {
    const end = env.now + ms;
    for (;;) {
      const due = env.timers.filter(t => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      env.timers = env.timers.filter(t => t !== due);
      env.now = due.at;
      due.fn(...due.args);
    }
    env.now = end;
  };
  env.socket = () => env.sockets[env.sockets.length - 1];
  env.q = pred => env.root.all(pred);
  env.byClass = c => env.q(e => e.className.split(' ').includes(c));
  env.byLabel = l => env.q(e => e.getAttribute('aria-label') === l)[0];
  env.byText = (tag, t) => env.q(e => e.tagName === tag.toUpperCase() && e.textContent === t)[0];
  env.stored = () => JSON.parse(storage.get('parley:https://parley.test:' + inbox));
  return env;
}

module.exports = {load, widgetTexts};
