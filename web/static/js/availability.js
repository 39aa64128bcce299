// availability.js: the agent's availability (available, away, offline), shown as the dot on
// their avatar in the header; the avatar opens a small menu of the three. A choice is sent to
// POST /api/v1/me/availability; a change made elsewhere (another tab, the automatic away and
// the return from it) arrives as the agent.availability event and is shown at once. The key "a"
// opens the menu on the current choice; Escape or a click elsewhere closes it.
import { get, post, typingTarget } from './api.js';
import { toast } from './toast.js';
import { t } from './i18n.js';

// availabilityKeys name an availability in words.
const availabilityKeys = { available: 'js.availability.available', away: 'js.availability.away', offline: 'js.availability.offline' };

export function setupAvailability(live, me) {
  const box = document.getElementById('availability');
  if (!box || !me.id) return;
  const radios = [...box.querySelectorAll('input[name="availability"]')];
  const now = document.getElementById('availability-now');
  let current = box.dataset.state;
  const show = (value) => {
    const radio = radios.find((r) => r.value === value);
    if (!radio) return;
    current = value;
    radio.checked = true;
    box.dataset.state = value;
    if (now) now.textContent = t(availabilityKeys[value]);
  };
  const close = () => {
    if (!box.open) return;
    box.open = false;
    box.querySelector('summary').focus();
  };

  for (const radio of radios) {
    radio.addEventListener('change', async () => {
      if (!radio.checked) return;
      try {
        show((await post('/api/v1/me/availability', { availability: radio.value })).availability);
      } catch (err) {
        show(current);
        toast(err.message, { error: true });
      }
    });
  }
  // Enter on a choice confirms it and closes the menu (arrows already chose it).
  box.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' || (e.key === 'Enter' && e.target.name === 'availability')) {
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  });
  document.addEventListener('click', (e) => {
    if (box.open && !box.contains(e.target)) box.open = false;
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
      box.open = true;
      (radios.find((r) => r.checked) || radios[0]).focus();
    }
  });
}
