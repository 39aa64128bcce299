// menu.js: the header's menu on narrow screens. Below the width where the header fits on one
// row, the sections and the agent's own links fold behind a "Menu" button (a disclosure: the
// button says whether it is open; Escape or a click elsewhere closes it). Without this script
// the header simply wraps, as it did before.

// narrow is the width at which the header folds; app.css folds it at the same width.
const narrow = window.matchMedia('(max-width: 1100px)');

// setupMenu wires the button to the panel it controls, if the page has them.
export function setupMenu(doc = document) {
  const button = doc.getElementById('menu-toggle');
  const menu = doc.getElementById('top-menu');
  const header = button?.closest('header');
  if (!button || !menu || !header) return;
  header.classList.add('has-menu');
  button.hidden = false;

  const set = (open) => {
    button.setAttribute('aria-expanded', String(open));
    header.classList.toggle('menu-open', open);
  };
  button.addEventListener('click', () => set(button.getAttribute('aria-expanded') !== 'true'));
  doc.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || button.getAttribute('aria-expanded') !== 'true') return;
    set(false);
    button.focus();
  });
  doc.addEventListener('click', (e) => {
    if (button.getAttribute('aria-expanded') === 'true' && !header.contains(e.target)) set(false);
  });
  // Wide again: the menu's contents are back in the row; start closed next time.
  narrow.addEventListener('change', () => {
    if (!narrow.matches) set(false);
  });
}
