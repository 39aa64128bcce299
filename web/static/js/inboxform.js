// inboxform.js: the inbox admin form. "Test connection" posts the form as typed and shows the
// results in place, so that the passwords typed stay in their fields (the server never sends a
// secret back); fields that apply to one choice of another (email's password or OAuth2 sign-in)
// show only while it is chosen; "Copy snippet" copies the chat widget's embed code.
import { t } from './i18n.js';
const form = document.getElementById('inbox-form');
const checks = document.getElementById('checks');

for (const button of document.querySelectorAll('button[data-test]')) {
  button.addEventListener('click', async (e) => {
    e.preventDefault();
    button.disabled = true;
    checks.textContent = t('js.inboxform.testing');
    try {
      const res = await fetch(button.formAction, { method: 'POST', body: new URLSearchParams(new FormData(form)), credentials: 'same-origin' });
      const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
      const got = doc.getElementById('checks');
      const problem = doc.querySelector('[role=alert], .error');
      checks.replaceChildren(...(got && got.children.length ? got.childNodes : [document.createTextNode(problem ? problem.textContent : t('js.inboxform.failed', { status: res.status }))]));
    } catch (err) {
      checks.textContent = t('js.inboxform.could_not_run', { error: err.message });
    } finally {
      button.disabled = false;
    }
  });
}

// A field shown for one choice of another (data-show-if="auth=oauth2") follows that choice.
for (const group of document.querySelectorAll('[data-show-if]')) {
  const [name, value] = group.dataset.showIf.split('=');
  const control = form && form.elements.namedItem(name);
  if (!control) continue;
  const follow = () => { group.hidden = control.value !== value; };
  control.addEventListener('change', follow);
  follow();
}

for (const button of document.querySelectorAll('button[data-copy]')) {
  button.addEventListener('click', async () => {
    const area = document.getElementById(button.dataset.copy);
    area.select();
    try {
      await navigator.clipboard.writeText(area.value);
    } catch {
      document.execCommand('copy');
    }
    button.textContent = t('js.inboxform.copied');
  });
}
