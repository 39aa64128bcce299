// notify.js: the notification bell in the header. Its count of unread notifications is read at
// load and again on every notification.created event of the agent's socket (sent to that agent
// alone) and after a reconnect; a new notification also shows a toast that opens its
// conversation, a browser notification when the agent opted in (in this browser: the choice is
// kept in localStorage), and joins the list of the notification centre when that page is open.
// The key b opens the centre.
import { get, typingTarget } from './api.js';
import { toast } from './toast.js';
import { t } from './i18n.js';

const OPT_IN = 'parley.browserNotifications';

// countText is the bell's badge: the server counts up to 100, shown as "99+".
function countText(n) { return n >= 100 ? '99+' : String(n); }

export function setupNotifications(live, me) {
  const count = document.getElementById('bell-count');
  const bell = document.getElementById('bell');
  if (!count || !bell || !me.id) return;

  async function refresh() {
    try {
      const list = await get('/api/v1/notifications?unread=true&limit=20');
      count.textContent = countText(list.unread_count);
      count.hidden = list.unread_count === 0;
      bell.setAttribute('aria-label', t('js.notify.bell', { count: list.unread_count }));
      bell.dataset.unread = String(list.unread_count);
      return list;
    } catch {
      return null; // the badge keeps its last figure; the next event or reconnect tries again
    }
  }

  async function arrived(e) {
    const list = await refresh();
    const n = list?.items.find((x) => x.id === Number(e.data?.notification_id));
    if (!n) return;
    const shown = toast(`${n.title}: ${n.subject || t('js.notify.conversation_n', { id: n.conversation_id })}`,
      { action: { label: t('js.common.open'), run: () => { location.href = n.url; } } });
    shown.dataset.notification = String(n.id);
    showBrowser(n);
    prepend(n);
  }

  live?.addEventListener('event', (ev) => {
    const e = ev.detail;
    if (e.type === 'notification.created' && Number(e.agent_id) === me.id) arrived(e);
  });
  live?.addEventListener('open', refresh);
  refresh();

  document.addEventListener('keydown', (e) => {
    if (e.key === 'b' && !typingTarget(e) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      location.href = '/notifications';
    }
  });
  optInToggle();
}

// prepend adds a new notification at the top of the centre's list, when the page is open.
function prepend(n) {
  const list = document.getElementById('notification-list');
  if (!list || list.querySelector(`[data-notification="${n.id}"]`)) return;
  list.querySelector('li.muted')?.remove();
  const li = document.createElement('li');
  li.className = 'notification unread';
  li.dataset.notification = String(n.id);
  li.dataset.kind = n.kind;
  const a = document.createElement('a');
  a.href = n.url;
  const strong = document.createElement('strong');
  strong.textContent = n.title;
  a.append(strong, ` · #${n.conversation_id} ${n.subject || t('js.common.no_subject')}`);
  li.append(a);
  if (n.text) {
    const p = document.createElement('p');
    p.className = 'muted';
    p.textContent = n.text;
    li.append(p);
  }
  list.prepend(li);
}

// showBrowser shows n as a browser notification when the agent opted in and allowed it.
function showBrowser(n) {
  if (!('Notification' in window) || localStorage.getItem(OPT_IN) !== 'on' || Notification.permission !== 'granted') return;
  const note = new Notification(n.title, { body: n.subject || t('js.notify.conversation_title', { id: n.conversation_id }), tag: `parley-${n.id}` });
  note.onclick = () => { window.focus(); location.href = n.url; };
}

// optInToggle wires the centre's "browser notification" checkbox: turning it on asks the
// browser's permission; a refusal is said, and the box stays off.
function optInToggle() {
  const box = document.getElementById('browser-notify');
  const state = document.getElementById('browser-notify-state');
  if (!box || !state) return;
  if (!('Notification' in window)) {
    box.disabled = true;
    state.textContent = t('js.notify.unsupported');
    return;
  }
  const say = () => {
    box.checked = localStorage.getItem(OPT_IN) === 'on' && Notification.permission === 'granted';
    state.textContent = Notification.permission === 'denied'
      ? t('js.notify.blocked') : '';
  };
  say();
  box.addEventListener('change', async () => {
    if (!box.checked) {
      localStorage.removeItem(OPT_IN);
      say();
      return;
    }
    const p = Notification.permission === 'granted' ? 'granted' : await Notification.requestPermission();
    if (p === 'granted') localStorage.setItem(OPT_IN, 'on');
    say();
  });
}
