// docs.mjs: the API reference page (/docs/, built from openapi.json by `make`) as an integrator
// reads it, in headless Chromium against the real stack, under the page's Content Security Policy.
// tests/integration/test_contract.py passes BASE (and SHOT, a screenshot's path, if wanted).
// Prints one JSON line with what the page showed; exits 1 on a failure, a page error or a refusal.
import assert from 'node:assert/strict';
import { drive } from './page.mjs';

const env = process.env;
assert.ok(env.BASE, 'BASE');

await drive({ viewport: { width: 1280, height: 900 } }, async (page) => {
  // Every console error and failed load counts, but the browser's own ask for /favicon.ico.
  const refused = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) refused.push(m.text());
  });
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) refused.push(`${r.status()} ${r.url()}`);
  });
  page.on('requestfailed', (r) => refused.push(`failed ${r.url()}`));
  const r = await page.goto(env.BASE + '/docs/', { waitUntil: 'domcontentloaded', timeout: 60000 });
  assert.equal(r.status(), 200);
  assert.match(r.headers()['content-security-policy'] || '', /script-src 'self'/);
  // Redoc took over the prerendered page (hydrated) and lists the operations by tag. Hydrating
  // the whole document took over 15 s (the default wait) in Chromium on a loaded machine.
  await page.getByRole('heading', { name: 'Scan a code' }).first().waitFor({ timeout: 60000 });
  const title = await page.locator('h1').first().innerText();
  // The signature headers are described where the scan's security is.
  const body = await page.locator('body').innerText();
  for (const text of ['X-HQR-Signature', 'Upload scans made offline', 'ErrorCode', 'CHECKPOINT_NOT_ALLOWED']) {
    assert.ok(body.includes(text), 'the page does not show ' + text);
  }
  // The search runs in Redoc's worker: it finds an operation.
  await page.fill('input[placeholder="Search..."]', 'batch');
  const results = page.locator('[data-role="search:results"] li');
  await results.filter({ hasText: 'Upload scans made offline' }).waitFor({ timeout: 30000 });
  const hits = await results.count();
  if (env.SHOT) await page.screenshot({ path: env.SHOT });
  assert.deepEqual(refused, [], 'the console reported errors');
  return { title, hits, operations: (body.match(/\b(GET|POST|PUT|DELETE)\b/g) || []).length };
});
