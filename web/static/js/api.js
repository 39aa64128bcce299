// api.js: calls to the JSON API with the session cookie, and page fragments for live refresh.
// A lapsed session (401) does not reload the page: the signed-out handler (session.js) asks
// the agent to sign in again in a dialog, and the call is made again once they did, so
// nothing typed is lost.
import { t } from './i18n.js';

let signedOut = null;

// onSignedOut sets what a 401 waits for: a function whose promise settles once the agent
// signed in again.
export function onSignedOut(fn) { signedOut = fn; }

// unreachable is what a failed network call says (rather than the browser's "Failed to fetch").
const unreachable = () => t('js.common.unreachable');

// request fetches path, waiting for a new sign-in and trying once more when the session lapsed.
async function request(path, init) {
  for (let attempt = 0; ; attempt++) {
    let res;
    try {
      res = await fetch(path, { credentials: 'same-origin', ...init });
    } catch {
      throw new Error(unreachable());
    }
    if (res.status === 401 && signedOut && attempt === 0) {
      await signedOut();
      continue;
    }
    return res;
  }
}

// post sends a JSON body (with headers of the caller's, such as an Idempotency-Key) and returns
// the decoded answer; a failure throws an Error whose message is the server's (and whose code
// and status say which).
export async function post(path, body, headers = {}) { return call('POST', path, body, headers); }

// put is post with PUT: a resource written whole.
export async function put(path, body) { return call('PUT', path, body); }

async function call(method, path, body, headers = {}) {
  const res = await request(path, {
    method,
    headers: { ...headers, 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return answer(res);
}

// upload sends one file as the "file" part of a multipart/form-data body and returns the
// decoded answer; a refusal throws as post does.
export async function upload(path, file) {
  const form = new FormData();
  form.append('file', file, file.name || 'file');
  const res = await request(path, { method: 'POST', headers: { Accept: 'application/json' }, body: form });
  return answer(res);
}

// get fetches JSON.
export async function get(path) {
  return answer(await request(path, { headers: { Accept: 'application/json' } }));
}

async function answer(res) {
  let data = null;
  try { data = await res.json(); } catch { /* an empty or non-JSON answer */ }
  if (!res.ok) {
    const err = new Error((data && data.error) || t('js.common.refused', { status: res.status }));
    err.status = res.status;
    err.code = data && data.code;
    throw err;
  }
  return data;
}

// fragment fetches part of a page as HTML.
export async function fragment(url) {
  const res = await request(url, { headers: { 'X-Parley-Fragment': '1' } });
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return res.text();
}

// debounce runs fn once calls stop coming for ms.
export function debounce(fn, ms) {
  let timer = 0;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// typingTarget reports whether a key event belongs to a text field (shortcuts stay out).
export function typingTarget(e) {
  const el = e.target;
  return el instanceof HTMLElement && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
}
