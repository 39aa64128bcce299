// toast.js: short notes at the bottom of the page ("Conversation resolved · Undo", an error
// said in words), read out by screen readers, gone after a few seconds.
import { t } from './i18n.js';

const SHOW_MS = 10000;

let region = null;

function area() {
  if (!region) {
    region = document.createElement('div');
    region.className = 'toasts';
    region.setAttribute('role', 'status');
    region.setAttribute('aria-live', 'polite');
    document.body.append(region);
  }
  return region;
}

// toast shows text; with action ({ label, run }) a button that runs it and closes the toast.
export function toast(text, { action, error } = {}) {
  const el = document.createElement('div');
  el.className = `toast${error ? ' toast-error' : ''}`;
  const p = document.createElement('span');
  p.textContent = text;
  el.append(p);
  let timer = 0;
  const close = () => {
    clearTimeout(timer);
    el.remove();
  };
  if (action) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = action.label;
    b.addEventListener('click', () => {
      close();
      action.run();
    });
    el.append(b);
  }
  const x = document.createElement('button');
  x.type = 'button';
  x.className = 'icon';
  x.setAttribute('aria-label', t('js.toast.dismiss'));
  x.textContent = '×';
  x.addEventListener('click', close);
  el.append(x);
  area().append(el);
  timer = setTimeout(close, SHOW_MS);
  return el;
}
