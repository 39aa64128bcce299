// app.js: what every signed-in page shares: the live connection and its badge, the keyboard
// shortcut help (?) and forms that submit when a choice changes.
import { Live } from './live.js';
import { typingTarget } from './api.js';

const body = document.body;

// me is the signed-in agent.
export const me = { id: Number(body.dataset.agentId || 0), name: body.dataset.agentName || '' };

// live is the tab's event socket (null on the sign-in page).
export const live = me.id ? new Live(document.getElementById('live')) : null;
// A handle for the browser's console and the end-to-end tests.
window.parleyLive = live;

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

for (const el of document.querySelectorAll('[data-autosubmit]')) {
  el.addEventListener('change', () => el.form?.requestSubmit());
}

// Times are rendered in UTC by the server; show them in the reader's time zone.
const fmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
export function localTimes(root = document) {
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

// Pages start the socket after their own modules subscribed (a microtask later).
queueMicrotask(() => live?.start());
