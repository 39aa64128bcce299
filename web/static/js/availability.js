// availability.js: the header's availability menu (available, away, offline). A choice is sent
// to POST /api/v1/me/availability; a change made elsewhere (another tab, the automatic away and
// the return from it) arrives as the agent.availability event and is shown at once. The key "a"
// moves the focus to the menu.
import { get, post, typingTarget } from './api.js';
import { toast } from './toast.js';

export function setupAvailability(live, me) {
  const menu = document.getElementById('availability');
  if (!menu || !me.id) return;
  let current = menu.value;
  const show = (value) => {
    if (![...menu.options].some((o) => o.value === value)) return;
    current = value;
    menu.value = value;
    menu.dataset.state = value;
  };

  menu.addEventListener('change', async () => {
    try {
      const r = await post('/api/v1/me/availability', { availability: menu.value });
      show(r.availability);
    } catch (err) {
      menu.value = current;
      toast(err.message, { error: true });
    }
  });

  live?.addEventListener('event', (ev) => {
    const e = ev.detail;
    if (e.type === 'agent.availability' && Number(e.agent_id) === me.id) show(e.data?.availability);
  });
  // A socket that opens (again) may have missed a change, or ended an automatic away: read it.
  live?.addEventListener('open', async () => {
    try {
      show((await get('/api/v1/me')).agent.availability);
    } catch { /* the next event or reconnect tells */ }
  });

  document.addEventListener('keydown', (e) => {
    if (e.key === 'a' && !typingTarget(e) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      menu.focus();
    }
  });
}
