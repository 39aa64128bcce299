// snooze.js: snoozing the open conversation. The Snooze button (or z) opens a dialog of presets,
// in an hour, tomorrow at 9:00 and next Monday at 9:00, reckoned in the browser's time zone
// (agents keep no zone of their own), or a moment of the agent's choice; the page sends the
// instant and the server wakes the conversation then, or when the customer writes. "Wake now"
// sets it back to open.
import { post, typingTarget } from './api.js';
import { toast } from './toast.js';
import { t } from './i18n.js';

const root = document.getElementById('inbox');
const openId = Number(root?.dataset.openId || 0);
const dialog = document.getElementById('snooze-dialog');
const error = document.getElementById('snooze-error');

// presetInstant is the instant a preset names, seen from now in the browser's time zone.
function presetInstant(preset, now) {
  const d = new Date(now);
  switch (preset) {
    case 'hour': return new Date(now.getTime() + 3600 * 1000);
    case 'tomorrow': d.setDate(d.getDate() + 1); break;
    case 'week': d.setDate(d.getDate() + (((8 - d.getDay()) % 7) || 7)); break; // the next Monday
    default: return null;
  }
  d.setHours(9, 0, 0, 0);
  return d;
}

// localInput is t as a datetime-local field's value, in the browser's time zone.
function localInput(t) {
  const p = (n) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())}T${p(t.getHours())}:${p(t.getMinutes())}:${p(t.getSeconds())}`;
}

function say(msg) {
  error.textContent = msg;
  error.hidden = !msg;
}

function openDialog() {
  if (!dialog || !document.querySelector('button[data-snooze-action="open"]:not(:disabled)')) {
    toast(t('js.snooze.not_snoozable'), { error: true });
    return;
  }
  say('');
  const at = document.getElementById('snooze-at');
  at.value = localInput(new Date(Date.now() + 3600 * 1000));
  at.min = localInput(new Date());
  dialog.showModal();
}

dialog?.addEventListener('submit', async (e) => {
  const choice = e.submitter?.value;
  if (choice === 'cancel') return; // closes the dialog
  e.preventDefault();
  let until = presetInstant(choice, new Date());
  if (choice === 'at') {
    const raw = document.getElementById('snooze-at').value;
    if (!raw) {
      say(t('js.snooze.choose'));
      return;
    }
    until = new Date(raw); // a date and time without a zone: the browser's own
  }
  try {
    await post(`/api/v1/conversations/${openId}/snooze`, { until: until.toISOString() });
    dialog.close();
    toast(t('js.snooze.snoozed', { until: until.toLocaleString() }));
  } catch (err) {
    say(err.message);
  }
});

document.addEventListener('click', async (e) => {
  const btn = e.target.closest('button[data-snooze-action]');
  if (!btn || !openId) return;
  if (btn.dataset.snoozeAction === 'open') openDialog();
  if (btn.dataset.snoozeAction === 'wake') {
    try {
      await post(`/api/v1/conversations/${openId}/status`, { status: 'open' });
    } catch (err) {
      toast(err.message, { error: true });
    }
  }
});

window.addEventListener('keydown', (e) => {
  if (typingTarget(e) || e.ctrlKey || e.metaKey || e.altKey || document.querySelector('dialog[open]') || !openId) return;
  if (e.key === 'z') {
    e.preventDefault();
    openDialog();
  }
});
