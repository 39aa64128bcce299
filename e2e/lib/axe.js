// lib/axe.js: axe-core (npm) run in a page, for the accessibility checks. The script is read
// from node_modules and added to the page as it is; the page's context must bypass the
// Content-Security-Policy (browser.newContext({ bypassCSP: true })), which allows our own
// scripts only.
import { createRequire } from 'node:module';

const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

// failing are the impacts that fail a check.
export const failing = new Set(['critical', 'serious']);

// axeFindings runs axe-core on the page as it is now and returns its critical and serious
// findings, one line each: where, the rule, its impact, the element and what the rule asks.
// iframes: false, the only frames are the customers' (sanitized, script-less) email bodies.
export async function axeFindings(page, where) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: axePath });
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, { iframes: false, resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
  const out = [];
  for (const v of violations) {
    if (!failing.has(v.impact)) continue;
    for (const t of v.targets) out.push(`${where}: ${v.id} [${v.impact}] ${t} (${v.help})`);
  }
  return out;
}
