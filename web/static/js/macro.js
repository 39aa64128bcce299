// macro.js: running a macro on the open conversation. The Macros button (or m) opens a dialog
// listing the macros the agent may run; the composer's "/" menu lists them too and asks here
// (the parley:run-macro event). The server applies every step in one go, or none: a refusal is
// shown as it says which step and why. The conversation updates through the live events.
import { get, post, typingTarget } from './api.js';
import { toast } from './toast.js';
import { t } from './i18n.js';

const root = document.getElementById('inbox');
const openId = Number(root?.dataset.openId || 0);
const dialog = document.getElementById('macro-dialog');
const list = document.getElementById('macro-list');
const error = document.getElementById('macro-error');

function say(msg) {
  error.textContent = msg;
  error.hidden = !msg;
}

// run applies macro m to the open conversation; a refusal is said where the agent asked.
async function run(m, where) {
  try {
    await post(`/api/v1/conversations/${openId}/macros/${m.id}`, {});
    if (dialog?.open) dialog.close();
    toast(t('js.macro.applied', { name: m.name }));
  } catch (err) {
    if (where === 'dialog') say(err.message);
    else toast(t('js.macro.failed', { name: m.name, error: err.message }), { error: true });
  }
}

async function openDialog() {
  if (!dialog || !document.querySelector('button[data-macro-open]')) return;
  say('');
  list.replaceChildren();
  dialog.showModal();
  let macros = [];
  try {
    macros = (await get('/api/v1/macros')).macros || [];
  } catch (err) {
    say(err.message);
    return;
  }
  if (!macros.length) {
    const li = document.createElement('li');
    li.className = 'muted';
    li.textContent = t('js.macro.none');
    list.append(li);
  }
  for (const m of macros) {
    const li = document.createElement('li');
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.dataset.macroId = String(m.id);
    btn.textContent = m.name;
    btn.addEventListener('click', () => run(m, 'dialog'));
    const steps = document.createElement('span');
    steps.className = 'muted';
    steps.textContent = ` ${t(m.shared ? 'js.macro.shared' : 'js.macro.yours')} · ${m.actions.map((a) => a.type).join(', ')}`;
    li.append(btn, steps);
    list.append(li);
  }
  list.querySelector('button')?.focus();
}

document.addEventListener('click', (e) => {
  if (e.target.closest('button[data-macro-open]') && openId) openDialog();
});

// The composer's "/" menu chose a macro.
document.addEventListener('parley:run-macro', (e) => {
  if (openId) run(e.detail, 'composer');
});

window.addEventListener('keydown', (e) => {
  if (typingTarget(e) || e.ctrlKey || e.metaKey || e.altKey || document.querySelector('dialog[open]') || !openId) return;
  if (e.key === 'm') {
    e.preventDefault();
    openDialog();
  }
});
