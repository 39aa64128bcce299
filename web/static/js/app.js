// app.js: what every signed-in page shares: the live connection and its badge, the header's
// menu on narrow screens, tables that scroll in their own box, the keyboard shortcut help (?)
// forms that submit when a choice changes, and forms that ask before they delete.
import { Live } from './live.js';
import { Session } from './session.js';
import { typingTarget, onSignedOut } from './api.js';
import { toast } from './toast.js';
import { setupMenu } from './menu.js';
import { scrollRegions } from './scrollregion.js';
import { setupNotifications } from './notify.js';
import { setupAvailability } from './availability.js';
import { t } from './i18n.js';

const body = document.body;

// me is the signed-in agent.
export const me = { id: Number(body.dataset.agentId || 0), name: body.dataset.agentName || '', email: body.dataset.agentEmail || '' };

// live is the tab's event socket (null on the sign-in page).
export const live = me.id ? new Live(document.getElementById('live')) : null;
// A handle for the browser's console and the end-to-end tests.
window.parleyLive = live;

// session asks to sign in again, in place, when the session lapses.
export const session = me.id ? new Session(live, me) : null;
if (session) {
  onSignedOut(() => session.expired());
  live?.addEventListener('closed', () => session.check());
}

setupMenu();
scrollRegions();
setupNotifications(live, me);
setupAvailability(live, me);

// A survey answer that opened a follow-up for me: say so on whatever page I am.
live?.addEventListener('event', (ev) => {
  const e = ev.detail;
  if (e.type !== 'survey.answered' || Number(e.data?.followup_assignee) !== me.id) return;
  const el = toast(t('js.app.rated', { score: e.data.score }),
    { action: { label: t('js.common.open'), run: () => { location.href = `/inbox/${e.conversation_id}`; } } });
  el.dataset.followup = e.data.followup_id;
});

const help = document.getElementById('help');
function showHelp() {
  if (help && !help.open) help.showModal();
}
document.getElementById('help-open')?.addEventListener('click', showHelp);
document.addEventListener('keydown', (e) => {
  if (e.key === '?' && !typingTarget(e) && !e.ctrlKey && !e.metaKey) {
    e.preventDefault();
    showHelp();
  }
});

// A form that deletes what cannot be brought back asks first (data-confirm holds the question).
document.addEventListener('submit', (e) => {
  const q = e.target.dataset?.confirm;
  if (q && !confirm(q)) e.preventDefault();
}, true);

for (const el of document.querySelectorAll('[data-autosubmit]')) {
  el.addEventListener('change', () => el.form?.requestSubmit());
}

// Times are rendered in UTC by the server; show them in the reader's time zone.
const fmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const hm = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

// ago is a compact span: "5m", "3h", "2d".
function ago(ms) {
  const m = Math.max(0, Math.round(ms / 60000));
  if (m < 60) return t('js.duration.minutes', { count: m });
  if (m < 48 * 60) return t('js.duration.hours', { count: Math.floor(m / 60) });
  return t('js.duration.days', { count: Math.floor(m / 1440) });
}

// slaLabels keeps the SLA marks of the list readable once localized: "SLA due 17:05" (the date
// too when not today), "SLA overdue by 4m", "SLA breached 5m ago", never a bare time.
export function slaLabels(root = document) {
  const now = Date.now();
  for (const el of root.querySelectorAll('.sla-due[data-due]')) {
    const d = new Date(el.dataset.due);
    if (Number.isNaN(d.getTime())) continue;
    el.title = t('js.app.sla_due', { when: fmt.format(d) });
    if (el.dataset.sla === 'breached') {
      el.textContent = t('js.app.sla_breached', { ago: ago(now - d.getTime()) });
    } else if (d.getTime() <= now) {
      el.textContent = t('js.app.sla_overdue', { ago: ago(now - d.getTime()) });
    } else {
      const today = new Date().toDateString() === d.toDateString();
      el.textContent = t('js.app.sla_due', { when: today ? hm.format(d) : fmt.format(d) });
    }
  }
}

export function localTimes(root = document) {
  slaLabels(root);
  for (const t of root.querySelectorAll('time[datetime]')) {
    const d = new Date(t.getAttribute('datetime'));
    if (Number.isNaN(d.getTime())) continue;
    if (/UTC$/.test(t.textContent)) {
      t.title = t.textContent;
      t.textContent = fmt.format(d);
    } else if (!t.title) {
      t.title = fmt.format(d);
    }
  }
}
localTimes();

// The socket starts once every module of the page has subscribed to it. This is a module script
// of the layout's head, and the page's own modules (inbox.js …) are scripts of their own after
// it: all of them run while the document is "interactive", and the browser may handle the
// socket's first frame (the events the page missed) between two of them. DOMContentLoaded
// comes after the last.
document.addEventListener('DOMContentLoaded', () => live?.start(), { once: true });
