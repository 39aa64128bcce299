// category.js: the conversation's category and resolution code. The selects in the header save
// at once; resolving a complaint that has no resolution code first asks for one (a dialog), and
// the server refuses a resolve that lacks what its team or category requires, with the reason.
// Shortcut: c focuses the category.
import { post, typingTarget } from './api.js';
import { t } from './i18n.js';

const root = document.getElementById('inbox');
const openId = Number(root?.dataset.openId || 0);
const dialog = document.getElementById('resolve-dialog');

async function save(body) {
  try {
    await post(`/api/v1/conversations/${openId}/category`, body);
  } catch (err) {
    alert(err.message);
  }
}

document.addEventListener('change', (e) => {
  const sel = e.target.closest('select[data-category-action]');
  if (!sel || !openId) return;
  const v = Number(sel.value);
  if (sel.dataset.categoryAction === 'category') save({ category_id: v });
  if (sel.dataset.categoryAction === 'resolution') save({ resolution_code_id: v });
});

// needsCode reports whether the open conversation is a complaint without a resolution code.
function needsCode() {
  const el = document.getElementById('conv-category');
  return Boolean(el && el.dataset.complaint === 'true' && Number(el.dataset.code || 0) === 0);
}

function askCode(status) {
  if (!dialog) return;
  dialog.dataset.status = status;
  dialog.addEventListener('close', () => { delete dialog.dataset.send; }, { once: true });
  document.getElementById('resolve-error').hidden = true;
  dialog.showModal();
  document.getElementById('resolve-code')?.focus();
}

// Every way to resolve (the button, the e key, the status select) passes here first.
function intercept(e, status) {
  if (!openId || !needsCode()) return;
  e.preventDefault();
  e.stopImmediatePropagation();
  askCode(status);
}

window.addEventListener('click', (e) => {
  if (e.target.closest?.('button[data-action="resolve"]')) intercept(e, 'resolved');
}, true);

// "Send & resolve" asks for the code too, then hands the reply to the composer with it.
window.addEventListener('submit', (e) => {
  const then = e.submitter?.name === 'then' ? e.submitter.value : '';
  if (e.target.id !== 'composer' || (then !== 'resolved' && then !== 'closed') || !openId || !needsCode()) return;
  if (!e.target.querySelector('textarea')?.value.trim()) return; // nothing to send: the composer says so
  e.preventDefault();
  e.stopImmediatePropagation();
  dialog.dataset.send = 'true';
  askCode(then);
}, true);

window.addEventListener('change', (e) => {
  const sel = e.target.closest?.('select[data-action="status"]');
  if (sel && (sel.value === 'resolved' || sel.value === 'closed')) {
    const status = sel.value;
    if (!needsCode()) return;
    sel.value = document.getElementById('conv-status')?.dataset.status || sel.value;
    intercept(e, status);
  }
}, true);

window.addEventListener('keydown', (e) => {
  if (typingTarget(e) || e.ctrlKey || e.metaKey || e.altKey || document.querySelector('dialog[open]') || !openId) return;
  if (e.key === 'e') intercept(e, 'resolved');
  if (e.key === 'c') {
    e.preventDefault();
    e.stopImmediatePropagation();
    document.getElementById('conv-category-select')?.focus();
  }
}, true);

dialog?.addEventListener('submit', async (e) => {
  if (e.submitter?.value !== 'resolve') return; // cancel closes the dialog
  e.preventDefault();
  const code = Number(document.getElementById('resolve-code').value);
  const error = document.getElementById('resolve-error');
  if (!code) {
    error.textContent = t('js.category.choose_code');
    error.hidden = false;
    return;
  }
  const status = dialog.dataset.status || 'resolved';
  if (dialog.dataset.send === 'true') { // the reply goes with the code: the composer sends and reports
    dialog.close();
    document.getElementById('composer')?.dispatchEvent(new CustomEvent('parley:send-coded', { detail: { status, code } }));
    return;
  }
  try {
    await post(`/api/v1/conversations/${openId}/status`, { status, resolution_code_id: code });
    dialog.close();
  } catch (err) {
    error.textContent = err.message;
    error.hidden = false;
  }
});
