// signature.js: the signature form of the agent's settings page and of an email inbox's admin
// page. It loads the signature from its API (the form's data-signature: /api/v1/me/signature
// or /api/v1/inboxes/{id}/signature), and saves both forms (plain text and HTML) with PUT; the
// server sanitizes the HTML, and the form shows what it kept. The fields and the button come
// disabled and are enabled once the stored signature is in them, so that nothing typed before
// is overwritten (and a failed load leaves nothing to save over).
import { get, put } from './api.js';
import { t } from './i18n.js';

for (const form of document.querySelectorAll('form[data-signature]')) start(form);

async function start(form) {
  const url = form.dataset.signature;
  const status = form.querySelector('[data-signature-status]');
  const fill = (g) => {
    form.elements.text.value = g.text || '';
    form.elements.html.value = g.html || '';
  };
  try {
    fill(await get(url));
  } catch (err) {
    status.textContent = err.message;
    return;
  }
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    form.setAttribute('aria-busy', 'true');
    try {
      fill(await put(url, { text: form.elements.text.value, html: form.elements.html.value }));
      status.textContent = t('js.signature.saved');
    } catch (err) {
      status.textContent = err.message;
    } finally {
      form.removeAttribute('aria-busy');
    }
  });
  for (const el of form.querySelectorAll('textarea, button')) el.disabled = false;
}
