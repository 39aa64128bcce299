// inboxtexts.js: the admin inbox page's "Customer language and texts": the inbox's language (and,
// for a chat inbox, whether the widget follows the visitor's browser), and its own wording of
// any customer text in any language, through /api/v1/inboxes/{id}/language and /texts. A
// wording is saved when its field loses focus or on Enter; a blank field brings back the
// shipped wording. The server's refusal (a placeholder missing or extra) shows beside it.
import { get } from './api.js';
import { t } from './i18n.js';

const box = document.getElementById('inbox-texts');
if (box) start(box);

// send makes a JSON call other than GET and returns the answer; a refusal throws the server's words.
async function send(method, path, body) {
  let res;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new Error(t('js.common.unreachable'));
  }
  let data = null;
  try { data = await res.json(); } catch { /* 204, or not JSON */ }
  if (!res.ok) throw new Error((data && data.error) || t('js.common.refused', { status: res.status }));
  return data;
}

// el builds an element; strings among the children are text.
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  e.append(...kids);
  return e;
}

async function start(box) {
  const base = `/api/v1/inboxes/${box.dataset.inbox}`;
  const langForm = document.getElementById('lang-form');
  const langSelect = document.getElementById('lang-select');
  const follow = document.getElementById('lang-follow');
  const langStatus = document.getElementById('lang-status');
  const textsLang = document.getElementById('texts-lang');
  const filter = document.getElementById('texts-filter');
  const tbody = document.querySelector('#texts-table tbody');

  let data;
  try {
    data = await get(`${base}/texts`);
  } catch (err) {
    tbody.replaceChildren(el('tr', {}, el('td', { colspan: '3', class: 'error-text' }, err.message)));
    return;
  }
  const options = () => data.languages.map(l => el('option', { value: l.code }, `${l.name} (${l.code})`));
  langSelect.replaceChildren(...options());
  langSelect.value = langSelect.dataset.value;
  textsLang.replaceChildren(...options());
  textsLang.value = langSelect.dataset.value;

  langForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    langStatus.textContent = t('js.inboxtexts.saving');
    try {
      const got = await send('PUT', `${base}/language`, { language: langSelect.value, follow_browser_language: !!(follow && follow.checked) });
      langSelect.dataset.value = got.language;
      langStatus.textContent = t('js.inboxtexts.language_saved');
    } catch (err) {
      langStatus.textContent = err.message;
    }
  });

  // row draws one text in the chosen language: its key, the shipped wording and the field.
  const row = (text, lang) => {
    const shipped = text.catalogue[lang] || '';
    const input = el('input', { type: 'text', 'aria-label': `${text.key} (${lang})`, placeholder: shipped, 'data-key': text.key });
    input.value = text.overrides[lang] || '';
    const note = el('small', { role: 'status', class: 'muted' });
    const save = async () => {
      const body = input.value.trim();
      if (body === (text.overrides[lang] || '')) return;
      const path = `${base}/texts/${encodeURIComponent(lang)}/${encodeURIComponent(text.key)}`;
      note.className = 'muted';
      note.textContent = t('js.inboxtexts.saving');
      try {
        if (body) await send('PUT', path, { body });
        else await send('DELETE', path);
        if (body) text.overrides[lang] = body; else delete text.overrides[lang];
        note.textContent = body ? t('js.inboxtexts.saved') : t('js.inboxtexts.reset');
      } catch (err) {
        note.className = 'error-text';
        note.setAttribute('role', 'alert');
        note.textContent = err.message;
      }
    };
    input.addEventListener('change', save);
    input.addEventListener('keydown', (e) => { if (e.key === 'Enter') { e.preventDefault(); save(); } });
    const holes = text.placeholders.length ? el('small', { class: 'muted' }, ' ' + t('js.inboxtexts.keeps', { placeholders: text.placeholders.map(p => `{${p}}`).join(', ') })) : '';
    return el('tr', { 'data-key': text.key }, el('td', {}, el('code', {}, text.key)), el('td', {}, shipped, holes), el('td', {}, input, note));
  };
  const draw = () => {
    const lang = textsLang.value;
    const q = filter.value.trim().toLowerCase();
    const shown = data.texts.filter(x => !q || x.key.includes(q) || (x.catalogue[lang] || '').toLowerCase().includes(q) ||
      (x.overrides[lang] || '').toLowerCase().includes(q));
    tbody.replaceChildren(...shown.map(x => row(x, lang)));
  };
  textsLang.addEventListener('change', draw);
  filter.addEventListener('input', draw);
  draw();
}
