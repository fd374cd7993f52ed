// build-docs.mjs OPENAPI OUTDIR: the API reference page (make run serves it at /docs/).
// Redocly's build-docs renders the document into one page; this script then makes the page load
// only files of its own folder, so that a strict Content Security Policy holds: Redoc's bundle is
// copied from the locked npm package (not fetched from a CDN), with its one outside image (the
// sidebar's Redocly logo) made an empty inline image; the page's inline start-up script (the
// rendered state and Redoc.hydrate) goes into redoc-init.js.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [api, out] = process.argv.slice(2);
if (!api || !out) {
  console.error('usage: node build-docs.mjs OPENAPI OUTDIR');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
const page = join(out, 'index.html');
const run = spawnSync(join(here, 'node_modules', '.bin', 'redocly'),
  ['build-docs', '--config', join(here, 'redocly.yaml'), '--template', join(here, 'docs.hbs'),
    '--title', 'Health QR code service API', '-o', page, api],
  { stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } });
if (run.status !== 0) {
  process.stdout.write(run.stdout || '');
  console.error('build-docs: redocly build-docs failed');
  process.exit(1);
}

let html = readFileSync(page, 'utf8');
// Redoc's bundle from the package the page was rendered with.
const bundle = /<script src="[^"]*\/redoc\.standalone\.js"><\/script>/;
if (!bundle.test(html)) throw new Error('no Redoc bundle script in the rendered page');
html = html.replace(bundle, '<script src="redoc.standalone.js"></script>');
const logo = 'https://cdn.redoc.ly/redoc/logo-mini.svg';
const js = readFileSync(join(here, 'node_modules', 'redoc', 'bundles', 'redoc.standalone.js'), 'utf8');
if (js.split(logo).length !== 2) throw new Error('the Redoc bundle does not name its logo once');
writeFileSync(join(out, 'redoc.standalone.js'),
  js.replace(logo, "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='1' height='1'/%3E"));
// The one inline script: the state and the hydration, into a file of its own.
const inline = /<script>([\s\S]*?)<\/script>/g;
const scripts = [...html.matchAll(inline)];
if (scripts.length !== 1) throw new Error(`expected one inline script, found ${scripts.length}`);
writeFileSync(join(out, 'redoc-init.js'), scripts[0][1].trim() + '\n');
html = html.replace(inline, '<script src="redoc-init.js"></script>');
copyFileSync(join(here, 'docs.css'), join(out, 'docs.css'));
// Nothing may come from elsewhere.
const outside = html.match(/<(script|link|img)\b[^>]*\b(src|href)="(https?:)?\/\/[^"]*"/);
if (outside) throw new Error(`the page still loads from elsewhere: ${outside[0]}`);
writeFileSync(page, html);
console.log(`build-docs: ${page}`);
