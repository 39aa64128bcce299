// newconv.js: the "New conversation" dialog of the inbox and of a contact's page. The button (or
// w) opens it; the agent picks the inbox to write from (its channel: email or SMS), the address
// or number (on a contact's page, the contact's own for that channel) and, for an email, the
// subject. Sending posts to POST /api/v1/conversations and opens the new conversation; a refusal
// (an opted-out number, a bad address) is shown in the dialog, nothing lost. The opening
// message may be delivered before the new page's socket listens: that socket's first frame then
// tells the page to catch up (live.js, data-since).
import { post, typingTarget } from './api.js';
import { t } from './i18n.js';

const dialog = document.getElementById('newconv-dialog');
const form = document.getElementById('newconv-form');
const error = document.getElementById('newconv-error');
const inboxSelect = document.getElementById('newconv-inbox');
const to = document.getElementById('newconv-to');
const contactID = Number(form?.dataset.contactId || 0);

function say(msg) {
  error.textContent = msg;
  error.hidden = !msg;
}

// channel is the channel of the chosen inbox.
function channel() {
  return inboxSelect?.selectedOptions[0]?.dataset.channel || '';
}

// fit shows the fields of the chosen channel: the subject for email only, and on a contact's
// page the contact's address of that channel.
function fit() {
  const email = channel() === 'email';
  for (const el of form.querySelectorAll('[data-email-only]')) el.hidden = !email;
  const subject = document.getElementById('newconv-subject');
  if (subject) subject.required = email;
  if (!to) return;
  to.type = email ? 'email' : 'tel';
  to.placeholder = email ? 'name@example.com' : '+1 555 010 0100';
  if (contactID) {
    to.value = (email ? form.dataset.email : form.dataset.phone) || '';
    say(to.value ? '' : t(email ? 'js.newconv.no_email' : 'js.newconv.no_phone'));
  }
}

// key is the Idempotency-Key of the conversation being written: one per opening of the dialog,
// so sending again after a lost answer cannot write to the customer twice.
let key = '';

function openDialog() {
  if (!dialog) return;
  // getRandomValues, unlike randomUUID, works on a page served without TLS too.
  key = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  say('');
  if (inboxSelect) fit();
  dialog.showModal();
  (contactID ? document.getElementById('newconv-text') : to)?.focus();
}

inboxSelect?.addEventListener('change', fit);

form?.addEventListener('submit', async (e) => {
  e.preventDefault();
  const body = { channel: channel(), inbox_id: Number(inboxSelect.value), text: form.elements.text.value };
  if (contactID) body.contact_id = contactID;
  else body.to = to.value.trim();
  if (body.channel === 'email') body.subject = form.elements.subject.value;
  const send = form.querySelector('button[type="submit"]');
  send.disabled = true;
  try {
    const conv = await post('/api/v1/conversations', body, { 'Idempotency-Key': key });
    window.location.assign(`/inbox/${conv.id}`);
  } catch (err) {
    say(err.message);
    send.disabled = false;
  }
});

document.addEventListener('click', (e) => {
  if (e.target.closest('[data-newconv-open]')) openDialog();
  if (e.target.closest('[data-newconv-cancel]')) dialog?.close();
});

document.addEventListener('keydown', (e) => {
  if (e.key !== 'w' || typingTarget(e) || e.ctrlKey || e.metaKey || e.altKey || document.querySelector('dialog[open]')) return;
  if (!document.querySelector('[data-newconv-open]')) return;
  e.preventDefault();
  openDialog();
});

