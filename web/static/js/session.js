// session.js: a lapsed sign-in, handled in place. When a call answers 401 or the periodic check
// finds the session gone (it expired, or the agent signed out in another tab), the badge says
// "Signed out" and a dialog asks for the password again; the page, its drafts and the calls
// waiting on it carry on once the agent signed in. No reload, nothing lost.
import { t } from './i18n.js';

const CHECK_EVERY_MS = 60000;

// dialogHTML is the sign-in dialog's content (static markup; the email is set as a property).
const dialogHTML = () => `<h2 id="reauth-title">${t('js.session.expired')}</h2>
<p id="reauth-why">${t('js.session.why')}</p>
<form class="stack">
  <label for="reauth-email">${t('js.session.email')}</label>
  <input id="reauth-email" name="email" type="email" autocomplete="username" required>
  <label for="reauth-password">${t('js.session.password')}</label>
  <input id="reauth-password" name="password" type="password" autocomplete="current-password" required>
  <p class="error" role="alert" data-error hidden></p>
  <p data-second-step hidden>${t('js.session.second_step')} <a href="/login?next=/inbox" target="_blank" rel="noopener">${t('js.session.new_tab')}</a>,
    ${t('js.session.then')} <button type="button" class="link" data-recheck>${t('js.session.carry_on')}</button>.</p>
  <button type="submit" class="primary">${t('js.session.sign_in')}</button>
</form>`;

export class Session {
  // The dialog joins the page only when needed: a second sign-in form in every page would
  // confuse password managers and anyone looking for "the" Email field.
  constructor(live, me) {
    this.dialog = null;
    this.live = live;
    this.me = me;
    this.waiting = null; // the promise the callers wait on while signed out
    this.resolve = null;
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') this.check();
    });
    setInterval(() => this.check(), CHECK_EVERY_MS);
  }

  // check asks the server whether the session still holds; a 401 opens the dialog.
  async check() {
    if (this.waiting) return;
    let res;
    try {
      res = await fetch('/api/v1/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    } catch {
      return; // offline: the live badge says so already
    }
    if (res.status === 401) this.expired();
  }

  // expired opens the dialog (once) and returns a promise that settles when signed in again.
  // build adds the dialog to the page, once.
  build() {
    if (this.dialog) return;
    this.dialog = document.createElement('dialog');
    this.dialog.id = 'reauth';
    this.dialog.setAttribute('aria-labelledby', 'reauth-title');
    this.dialog.setAttribute('aria-describedby', 'reauth-why');
    this.dialog.innerHTML = dialogHTML();
    this.dialog.querySelector('#reauth-email').value = this.me.email;
    document.body.append(this.dialog);
    this.form = this.dialog.querySelector('form');
    this.error = this.dialog.querySelector('[data-error]');
    this.form.addEventListener('submit', (e) => this.submit(e));
    // The dialog stays until the agent signs in: Escape does not dismiss it.
    this.dialog.addEventListener('cancel', (e) => e.preventDefault());
    this.dialog.querySelector('[data-recheck]')?.addEventListener('click', () => this.recheck());
  }

  expired() {
    if (!this.waiting) {
      this.build();
      this.waiting = new Promise((resolve) => { this.resolve = resolve; });
      this.live?.signedOut();
      this.error.hidden = true;
      this.dialog.querySelector('[data-second-step]').hidden = true;
      if (!this.dialog.open) this.dialog.showModal();
      this.form.password.focus();
    }
    return this.waiting;
  }

  async submit(e) {
    e.preventDefault();
    const body = new URLSearchParams({ email: this.form.email.value, password: this.form.password.value, next: '/api/v1/me' });
    this.form.setAttribute('aria-busy', 'true');
    let res;
    try {
      res = await fetch('/login', { method: 'POST', credentials: 'same-origin', body });
    } catch {
      this.fail(t('js.common.unreachable'));
      return;
    } finally {
      this.form.removeAttribute('aria-busy');
    }
    const landed = new URL(res.url, location.href).pathname;
    if (res.ok && landed === '/api/v1/me') {
      this.signedIn(await res.json());
      return;
    }
    if (landed.startsWith('/login/code') || landed.startsWith('/login/enrol')) {
      // A second factor is needed: that step has a page of its own.
      this.dialog.querySelector('[data-second-step]').hidden = false;
      return;
    }
    this.fail(t(res.status === 429 ? 'js.session.too_many' : 'js.session.wrong'));
  }

  // recheck is for the agent who finished signing in in another tab.
  async recheck() {
    const res = await fetch('/api/v1/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (res.ok) this.signedIn(await res.json());
    else this.fail(t('js.session.not_yet'));
  }

  fail(msg) {
    this.error.textContent = msg;
    this.error.hidden = false;
  }

  signedIn(me) {
    if (me?.agent && me.agent.id !== this.me.id) {
      // Someone else signed in: this page shows another agent's view. Start afresh (drafts are
      // kept in the browser and come back).
      location.reload();
      return;
    }
    this.form.password.value = '';
    this.dialog.close();
    const done = this.resolve;
    this.waiting = null;
    this.resolve = null;
    this.live?.signedIn();
    done();
  }
}
