// page.mjs: what the browser scripts share: Debian's Chromium, headless; a phone-sized page that
// records the page's errors and Content Security Policy refusals; screenshots into $SHOTS; the
// accessibility check (axe-core); the checks of a page's size and of its width at 320 px; the one
// JSON line each script prints for tests/integration/test_client.py (and its exit status).
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// Runs steps(page, ctx) and prints {"ok":true, ...what it returns}, or {"ok":false, error, errors,
// shown} with what the page showed; exits 0 or 1. `args` are more Chromium flags (a fake camera).
export async function drive(contextOptions, steps, args = []) {
  const errors = [];
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', ...args],
  });
  let page = null;
  let out;
  try {
    const ctx = await browser.newContext({
      viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2,
      ...contextOptions,
    });
    page = await ctx.newPage();
    page.setDefaultTimeout(15000);
    page.on('pageerror', (e) => errors.push('page error: ' + e.message));
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) errors.push('console: ' + m.text());
    });
    const result = await steps(page, ctx);
    out = errors.length === 0 ? { ok: true, ...result } : { ok: false, error: 'the page reported errors', errors };
  } catch (e) {
    const shown = page ? await page.locator('body').innerText().catch(() => '') : '';
    out = { ok: false, error: String((e && e.stack) || e), errors, shown };
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(out));
  process.exit(out.ok ? 0 : 1);
}

// A full-page screenshot into $SHOTS (the test's output directory) as NAME.png.
export async function shot(page, name) {
  const dir = process.env.SHOTS;
  if (!dir) return null;
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name + '.png');
  await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
  return file;
}

// axe-core on what the page shows now: fails on any serious or critical violation. (Evaluated
// through the debugging protocol, which the page's CSP does not govern.)
export async function accessible(page, label) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE);
  const res = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 3) }));
  });
  const bad = res.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length) throw new Error(`${label}: accessibility violations ${JSON.stringify(bad)}`);
  return res.length;
}

// Nothing visible reaches past the viewport's right edge (no sideways scrolling).
export async function fitsWidth(page, label) {
  const wide = await page.evaluate(() => {
    const w = document.documentElement.clientWidth;
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.height > 0 && (r.right > w + 0.5 || r.left < -0.5)) {
        out.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
      }
    }
    return { w, out: out.slice(0, 5), scroll: document.documentElement.scrollWidth };
  });
  if (wide.out.length || wide.scroll > wide.w) throw new Error(`${label}: wider than ${wide.w}px: ${JSON.stringify(wide)}`);
}

// Counts the bytes the page transfers from now on (headers and bodies as they went over the wire);
// stop() waits for the network to settle and returns the sum: a page's first view, when started
// before it is opened.
export function meter(page) {
  const done = [];
  const on = (r) => done.push(r);
  page.on('requestfinished', on);
  return {
    async stop() {
      await page.waitForLoadState('networkidle').catch(() => {});
      page.off('requestfinished', on);
      let n = 0;
      for (const r of done) {
        const s = await r.sizes();
        n += s.responseBodySize + s.responseHeadersSize;
      }
      return n;
    },
  };
}
