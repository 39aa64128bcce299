// recipients.js: the To, Cc and Bcc of an email reply, and forwarding a conversation.
// The composer shows the address fields while the reply goes by email (filled with reply-all:
// the customer, and the others their latest email was sent to); the agent edits them as a
// comma-separated list, and the composer's request carries them (its parley:compose event).
// The panel's Forward form sends the conversation to an outside address with a note.
import { post } from './api.js';
import { toast } from './toast.js';
import { t } from './i18n.js';

const form = document.getElementById('composer');
const fields = document.getElementById('composer-recipients');

// addresses splits a field's text at commas, semicolons and blanks.
function addresses(text) {
  return text.split(/[,;\s]+/).map((a) => a.trim()).filter(Boolean);
}

// byEmail reports whether the composer's reply goes by email.
function byEmail() {
  const mode = form.querySelector('input[name=type]:checked')?.value;
  return mode === 'reply' && form.querySelector('select[name=channel]')?.value === 'email';
}

function show() { fields.hidden = !byEmail(); }

if (form && fields) {
  show();
  form.addEventListener('change', show);
  // The reply channels are refreshed live; the fields follow the channel then chosen.
  new MutationObserver(show).observe(form.querySelector('select[name=channel]'), { childList: true });
  form.addEventListener('parley:compose', (e) => {
    if (e.detail.type !== 'reply' || !byEmail()) return;
    for (const name of ['to', 'cc', 'bcc']) {
      e.detail[name] = addresses(fields.querySelector(`input[name=${name}]`).value);
    }
  });
}

// The Forward form lives in the customer panel, which live updates redraw: listen on the page.
document.addEventListener('submit', async (e) => {
  const f = e.target.closest('form[data-forward]');
  if (!f) return;
  e.preventDefault();
  const status = f.querySelector('[data-forward-status]');
  f.setAttribute('aria-busy', 'true');
  try {
    await post(`/api/v1/conversations/${f.dataset.forward}/forward`, { to: f.elements.to.value.trim(), note: f.elements.note.value });
    status.textContent = '';
    toast(t('js.recipients.forwarded', { to: f.elements.to.value.trim() }));
    f.reset();
    f.closest('details')?.removeAttribute('open');
  } catch (err) {
    status.textContent = err.message;
  } finally {
    f.removeAttribute('aria-busy');
  }
});
