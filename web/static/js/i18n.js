// i18n.js: the interface's words in the page's language. The layout writes the catalogue's
// "js." strings (web/i18n/<lang>.json) into <script type="application/json" id="i18n-strings">;
// t looks a key up there, so the scripts speak the language the page was rendered in.

let strings = null;
let plurals = null;

function catalogue() {
  if (!strings) {
    const el = document.getElementById('i18n-strings');
    try {
      strings = el ? JSON.parse(el.textContent) : {};
    } catch {
      strings = {};
    }
    plurals = new Intl.PluralRules(document.documentElement.lang || 'en');
  }
  return strings;
}

// t is the text of key with its {name} parameters filled in from params. An entry of plural
// forms ({ one, other, ... }) is chosen by params.count. A key the page lacks shows as itself:
// a gap is seen, never a blank.
export function t(key, params = {}) {
  let s = catalogue()[key];
  if (s === undefined) return key;
  if (typeof s === 'object') s = s[plurals.select(Number(params.count))] ?? s.other;
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}
