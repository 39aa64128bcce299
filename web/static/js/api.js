// api.js: calls to the JSON API with the session cookie, and page fragments for live refresh.

// post sends a JSON body and returns the decoded answer; a failure throws an Error whose
// message is the server's.
export async function post(path, body) {
  const res = await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  return answer(res);
}

// get fetches JSON.
export async function get(path) {
  const res = await fetch(path, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  return answer(res);
}

async function answer(res) {
  let data = null;
  try { data = await res.json(); } catch { /* an empty or non-JSON answer */ }
  if (res.status === 401) {
    location.reload();
  }
  if (!res.ok) {
    const err = new Error((data && data.error) || `request failed (${res.status})`);
    err.status = res.status;
    throw err;
  }
  return data;
}

// fragment fetches part of a page as HTML; a lapsed session reloads the page (to sign in).
export async function fragment(url) {
  const res = await fetch(url, { credentials: 'same-origin', headers: { 'X-Parley-Fragment': '1' } });
  if (res.status === 401) {
    location.reload();
    throw new Error('signed out');
  }
  if (!res.ok) throw new Error(`${res.status} ${await res.text()}`);
  return res.text();
}

// debounce runs fn once calls stop coming for ms.
export function debounce(fn, ms) {
  let t = 0;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

// typingTarget reports whether a key event belongs to a text field (shortcuts stay out).
export function typingTarget(e) {
  const el = e.target;
  return el instanceof HTMLElement && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
}
