// words.mjs: every code word the service answers has Chinese and English words in the pages'
// i18n.js. The service's list of words is read from its sources: every upper-case word literal
// under fcgi/ (its error table in http/err.c, the field codes of its forms, the login errors, the
// verdicts' reasons and checks, the reasons of a code's color), less the internal words listed
// below (which never reach a client), and the error bodies nginx itself writes. Prints one JSON
// line; exits 1 when a word lacks either language (or a word's Chinese is not Chinese).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

// Words under fcgi/ that are not answered to a client, by what they are.
const INTERNAL = {
  http: 'GET HEAD POST PUT DELETE CONTENT_LENGTH CONTENT_TYPE QUERY_STRING REMOTE_ADDR REQUEST_ID REQUEST_METHOD ' +
    'REQUEST_URI HTTP_AUTHORIZATION HTTP_COOKIE HTTP_IDEMPOTENCY_KEY HTTP_X_HQR_KEY HTTP_X_HQR_NONCE ' +
    'HTTP_X_HQR_SIGNATURE HTTP_X_HQR_TIMESTAMP HTTP_X_REQUESTED_WITH',
  // form_err_word: the multipart parser's words, for the log (clients get MALFORMED_FORM or a field code)
  form: 'BAD_BOUNDARY FILE_TOO_LARGE HEADER_TOO_LONG MALFORMED NOMEM NO_BOUNDARY PART_TOO_LARGE TOO_MANY_FILES TOO_MANY_PARTS',
  // token_err_word and verdict_token_word: why a code did not verify, for the log and hqrctl
  // verify-token (a scan answers NO_VALID_CODE or EXPIRED_CODE)
  token: 'BAD_BASE45 BAD_COLOR BAD_KIND BAD_LENGTH BAD_PREFIX BAD_VERSION BAD_MAC FUTURE STALE SUPERSEDED_SERIAL ' +
    'UNKNOWN_PERSON UNPARSABLE BAD_SIGNATURE FROM_THE_FUTURE UNKNOWN_KEY HQR1 ABCDEFGHIJKLMNOPQRSTUVWXYZ',
  // pf_rc_word and the server URL's errors: calls to and from the chat platform, for the log
  platform: 'BAD_BODY BUSY DATABASE ERRCODE NETWORK TIMEOUT AES_KEY APPID ARG BASE64 CIPHER_LENGTH CRYPTO ' +
    'FIELD_MISSING MSG_LENGTH PADDING SPACE XML_BODY XML_DEPTH XML_DUPLICATE XML_FIELDS XML_FORBIDDEN ' +
    'XML_MALFORMED XML_NAME XML_VALUE CLICK HEALTH_CODE IDENTITY_CARD',
  // PNG chunk names, the HMAC label, a partition bound's SQL
  other: 'IDAT IEND IHDR PLTE HMAC MAXVALUE',
};
const internal = new Set(Object.values(INTERNAL).join(' ').split(' '));

function sources(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'sim') out.push(...sources(p)); // the platform simulator is not the service
    } else if (e.name.endsWith('.c')) {
      out.push(p);
    }
  }
  return out;
}

const service = new Map(); // word -> where it was found
for (const f of sources(path.join(ROOT, 'fcgi'))) {
  const text = readFileSync(f, 'utf8');
  for (const m of text.matchAll(/"([A-Z][A-Z0-9_]{2,})"/g)) {
    if (!internal.has(m[1]) && !service.has(m[1])) service.set(m[1], path.relative(ROOT, f));
  }
}
const nginx = readFileSync(path.join(ROOT, 'nginx', 'nginx.conf.in'), 'utf8');
for (const m of nginx.matchAll(/"code":"([A-Z][A-Z0-9_]+)"/g)) if (!service.has(m[1])) service.set(m[1], 'nginx/nginx.conf.in');

const sandbox = { navigator: { languages: ['zh-CN'] } };
vm.runInNewContext(readFileSync(path.join(ROOT, 'nginx', 'html', 'i18n.js'), 'utf8'), sandbox);
const I18N = sandbox.I18N;

const missing = [];
for (const [w, where] of service) {
  const e = I18N.entry('w.' + w);
  if (!e || !e[0] || !e[1]) missing.push(`${w} (${where}): ${e ? 'one language only' : 'no words'}`);
  else if (!/[\u4e00-\u9fff]/.test(e[0]) || /[\u4e00-\u9fff]/.test(e[1])) missing.push(`${w}: not Chinese then English: ${JSON.stringify(e)}`);
}
const stale = I18N.words().filter((w) => !service.has(w));
const out = { ok: missing.length === 0 && service.size > 0, words: service.size, missing, unused: stale };
console.log(JSON.stringify(out));
process.exit(out.ok ? 0 : 1);
