// scrollregion.js: tables sit in boxes (.scroll-x) that scroll sideways when the table is wider
// than the screen, so that the page itself never does. Someone without a mouse can scroll such
// a box only if it takes the keyboard focus, and a screen reader announces it only if it has a
// name: while a box overflows it is a focusable, labelled group named after its table (its
// label or caption) or its section's heading; when it fits again it is a plain box, no extra
// tab stop. A group, not a region: the section around it is already the region of that name
// (a landmark of the same name inside it would only repeat it).
import { t } from './i18n.js';

// nameOf is what a box of a table is called: the table's own name, else its section's heading.
function nameOf(box) {
  const table = box.querySelector('table');
  const own = table?.getAttribute('aria-label') || table?.caption?.textContent;
  if (own) return own.trim();
  const section = box.closest('[aria-labelledby]');
  const heading = section && document.getElementById(section.getAttribute('aria-labelledby').split(' ')[0]);
  if (heading) return heading.textContent.trim();
  return t('js.scrollregion.table');
}

// mark makes box a labelled group while it overflows, and leaves alone a box the page marked itself.
function mark(box) {
  if (box.hasAttribute('tabindex') && !box.dataset.autoRegion) return;
  const overflows = box.scrollWidth > box.clientWidth + 1;
  if (overflows && !box.dataset.autoRegion) {
    box.dataset.autoRegion = 'on';
    box.tabIndex = 0;
    box.setAttribute('role', 'group');
    box.setAttribute('aria-label', t('js.scrollregion.label', { name: nameOf(box) }));
  } else if (!overflows && box.dataset.autoRegion) {
    delete box.dataset.autoRegion;
    box.removeAttribute('tabindex');
    box.removeAttribute('role');
    box.removeAttribute('aria-label');
  }
}

// scrollRegions marks every table box of the page now and whenever its size changes.
export function scrollRegions(doc = document) {
  const boxes = doc.querySelectorAll('.scroll-x');
  if (!boxes.length) return;
  const observer = new ResizeObserver((entries) => {
    for (const e of entries) mark(e.target.closest('.scroll-x'));
  });
  for (const box of boxes) {
    mark(box);
    observer.observe(box);
    const table = box.querySelector('table');
    if (table) observer.observe(table);
  }
}
