// page.mjs: what the browser scripts share: Debian's Chromium, headless; a phone-sized page that
// records the page's errors and Content Security Policy refusals; the one JSON line each script
// prints for tests/integration/test_client.py (and its exit status).
import { chromium } from 'playwright-core';

// Runs steps(page) and prints {"ok":true, ...what it returns}, or {"ok":false, error, errors,
// shown} with what the page showed; exits 0 or 1.
export async function drive(contextOptions, steps) {
  const errors = [];
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  let page = null;
  let out;
  try {
    const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, ...contextOptions });
    page = await ctx.newPage();
    page.setDefaultTimeout(15000);
    page.on('pageerror', (e) => errors.push('page error: ' + e.message));
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/.test(m.text())) errors.push('console: ' + m.text());
    });
    const result = await steps(page);
    out = errors.length === 0 ? { ok: true, ...result } : { ok: false, error: 'the page reported errors', errors };
  } catch (e) {
    const shown = page ? await page.locator('main').innerText().catch(() => '') : '';
    out = { ok: false, error: String((e && e.stack) || e), errors, shown };
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(out));
  process.exit(out.ok ? 0 : 1);
}
